import { RefreshToken } from './refresh-token';
import { Session } from './session';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('RefreshToken.classify', () => {
  const fresh = () => RefreshToken.issue({ id: 'a', sessionId: 's', tokenHash: 'h', now: t0, ttlSeconds: 100 });

  test('when unused and before expiry, then fresh; after expiry, then expired', () => {
    expect(fresh().classify(at(99), 10, false)).toEqual({ kind: 'fresh' });
    expect(fresh().classify(at(100), 10, false)).toEqual({ kind: 'expired' });
  });

  test('when used, then grace only inside the window and only while the successor is unused', () => {
    const token = fresh();
    token.markRotated('b', 'sealed-b', at(1));
    expect(token.classify(at(11), 10, true)).toEqual({ kind: 'grace', successorId: 'b', successorSealed: 'sealed-b' });
    expect(token.classify(at(12), 10, true)).toEqual({ kind: 'reused' });
    expect(token.classify(at(2), 10, false)).toEqual({ kind: 'reused' });
  });
});

describe('Session.state', () => {
  test('when revoked, idle too long or past its absolute end, then not active', () => {
    const make = () => Session.start({ id: 's', userId: 'u', now: t0, absoluteLifetimeSeconds: 1000 });
    expect(make().state(at(10), 100)).toBe('active');
    expect(make().state(at(101), 100)).toBe('expired');
    const touched = make();
    touched.touch(at(950));
    expect(touched.state(at(1000), 100)).toBe('expired');
    const revoked = make();
    revoked.revoke('logout', at(5));
    revoked.revoke('again', at(6));
    expect(revoked.state(at(6), 100)).toBe('revoked');
    expect(revoked.toProps().revokedReason).toBe('logout');
  });
});
