import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwtTokenService } from './jwt-token.service';

const SECRET = 'j'.repeat(48);
const settings = { jwtSecret: SECRET, refreshTokenSecret: 'r'.repeat(48), accessTokenTtlSeconds: 900 };
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function service(at = new Date('2026-11-24T12:00:00Z')) {
  const clock = { current: at, now: () => clock.current };
  return { tokens: new JwtTokenService(settings, clock), clock };
}

describe('JwtTokenService', () => {
  test('when an access token is signed, then it verifies to the same claims and carries the type and lifetime', () => {
    const { tokens } = service();
    const { token, claims } = tokens.signAccessToken({ sub: 'u1', sid: 's1', wid: 'w1' });
    expect(tokens.verifyAccessToken(token)).toEqual(claims);
    const payload = jwt.decode(token) as Record<string, unknown>;
    expect(payload).toEqual(expect.objectContaining({ typ: 'access', sub: 'u1', sid: 's1', wid: 'w1' }));
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
  });

  test('when a CSRF token is made for a session, then it is stable for it and differs for another session or server key', () => {
    const { tokens } = service();
    const other = new JwtTokenService({ ...settings, refreshTokenSecret: 'x'.repeat(48) }, { now: () => new Date() });

    const token = tokens.csrfTokenFor('s1');

    expect(token).toMatch(/^[\w-]{43}$/);
    expect(tokens.csrfTokenFor('s1')).toBe(token);
    expect(tokens.csrfTokenFor('s2')).not.toBe(token);
    expect(other.csrfTokenFor('s1')).not.toBe(token);
    // Keyed: not the plain hash of the session id, which anyone who knows the id could compute.
    expect(token).not.toBe(createHash('sha256').update('s1').digest('base64url'));
  });

  test('when no workspace is active, then the token has no wid claim', () => {
    const { tokens } = service();
    expect(jwt.decode(tokens.signAccessToken({ sub: 'u1', sid: 's1' }).token)).not.toHaveProperty('wid');
  });

  test('when the token has expired by the clock, then it is refused as expired', () => {
    const { tokens, clock } = service();
    const { token } = tokens.signAccessToken({ sub: 'u1', sid: 's1' });
    clock.current = new Date(clock.current.getTime() + 901_000);
    expect(() => tokens.verifyAccessToken(token)).toThrow('The access token has expired');
  });

  test('when a token already verified expires, then its next use is refused too (the verified cache checks expiry)', () => {
    const { tokens, clock } = service();
    const { token } = tokens.signAccessToken({ sub: 'u1', sid: 's1' });
    expect(tokens.verifyAccessToken(token).sub).toBe('u1');
    clock.current = new Date(clock.current.getTime() + 900_000);
    expect(() => tokens.verifyAccessToken(token)).toThrow('The access token has expired');
    expect(() => tokens.verifyAccessToken(token)).toThrow('The access token has expired');
  });

  test('when a forged token shares a verified token’s claims, then it is still checked and refused', () => {
    const { tokens } = service();
    const { token } = tokens.signAccessToken({ sub: 'u1', sid: 's1' });
    tokens.verifyAccessToken(token);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    expect(() => tokens.verifyAccessToken(forged)).toThrow('The access token is invalid');
  });

  test.each([
    ['tampered payload', (t: string) => t.replace(/\.([^.]+)\./, (_m, p: string) => `.${p.slice(0, -2)}AA.`)],
    ['alg none', (t: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${t.split('.')[1]}.`],
    [
      'another secret',
      () =>
        jwt.sign(
          { sub: 'u1', sid: 's1', jti: 'j', typ: 'access', iss: 'tenant-api', aud: 'tenant-api' },
          'x'.repeat(48),
        ),
    ],
    [
      'a refresh-type token',
      () =>
        jwt.sign({ sub: 'u1', sid: 's1', jti: 'j', typ: 'refresh', iss: 'tenant-api', aud: 'tenant-api' }, SECRET, {
          expiresIn: 60,
        }),
    ],
    ['not a JWT at all', () => 'rt_abcdefghijklmnop'],
  ])('when given %s, then it is refused', (_case, forge) => {
    const { tokens } = service();
    const forged = forge(tokens.signAccessToken({ sub: 'u1', sid: 's1' }).token);
    expect(() => tokens.verifyAccessToken(forged)).toThrow('The access token is invalid');
  });

  test('when a secret is minted, then only its hash is meant to be stored and hashing is stable', () => {
    const { tokens } = service();
    const { secret, hash } = tokens.mintSecret('rt');
    expect(secret).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(tokens.hashSecret(secret));
    expect(hash).not.toContain(secret);
  });

  test('when sealed, then only the same key unseals it, and any tampering is detected', () => {
    const { tokens } = service();
    const sealed = tokens.seal('rt_successor');
    expect(sealed).not.toContain('rt_successor');
    expect(tokens.unseal(sealed)).toBe('rt_successor');
    const other = new JwtTokenService({ ...settings, refreshTokenSecret: 'z'.repeat(48) }, { now: () => new Date() });
    expect(() => other.unseal(sealed)).toThrow();
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    expect(() => tokens.unseal(flipped.toString('base64url'))).toThrow();
  });
});
