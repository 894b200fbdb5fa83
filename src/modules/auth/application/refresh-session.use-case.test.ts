import { RefreshTokenInvalidError, RefreshTokenReusedError, SessionEndedError } from '../domain/errors';
import { build, PASSWORD, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';

async function signedIn(overrides = {}) {
  const f = authFixture(overrides);
  const uc = build(f);
  const user = await seedUser(f);
  const pair = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
  return { f, uc, user, pair };
}

describe('RefreshSession', () => {
  test('when a fresh token is presented, then a new pair is issued and the old token is retired', async () => {
    const { f, uc, pair } = await signedIn();
    const next = await uc.refresh.execute({ refreshToken: pair.refreshToken });

    expect(next.refreshToken).not.toBe(pair.refreshToken);
    const old = await f.sessions.findTokenByHashForUpdate(f.tokens.hashSecret(pair.refreshToken));
    expect(old?.isUsed).toBe(true);
    await expect(uc.refresh.execute({ refreshToken: next.refreshToken })).resolves.toBeDefined();
  });

  test('when a used token is replayed inside the grace window, then the same successor comes back', async () => {
    const { f, uc, pair } = await signedIn();
    const first = await uc.refresh.execute({ refreshToken: pair.refreshToken });
    f.clock.advance(5);
    const second = await uc.refresh.execute({ refreshToken: pair.refreshToken });

    expect(second.refreshToken).toBe(first.refreshToken);
    expect([...f.sessions.sessions.values()][0]?.revokedAt).toBeNull();
  });

  test('when a used token is replayed after the window, then the whole session is revoked and audited', async () => {
    const { f, uc, pair } = await signedIn();
    const next = await uc.refresh.execute({ refreshToken: pair.refreshToken });
    f.clock.advance(11);

    await expect(uc.refresh.execute({ refreshToken: pair.refreshToken })).rejects.toThrow(RefreshTokenReusedError);
    expect([...f.sessions.sessions.values()][0]?.revokedReason).toBe('refresh_token_reused');
    expect(f.audit.actions()).toContain('auth.refresh.reused');
    await expect(uc.refresh.execute({ refreshToken: next.refreshToken })).rejects.toThrow(SessionEndedError);
  });

  test('when the replayed token is not the immediate predecessor, then it counts as reuse even inside the window', async () => {
    const { uc, pair } = await signedIn();
    const second = await uc.refresh.execute({ refreshToken: pair.refreshToken });
    await uc.refresh.execute({ refreshToken: second.refreshToken });
    await expect(uc.refresh.execute({ refreshToken: pair.refreshToken })).rejects.toThrow(RefreshTokenReusedError);
  });

  test('when the token is unknown, then REFRESH_TOKEN_INVALID', async () => {
    const { uc } = await signedIn();
    await expect(uc.refresh.execute({ refreshToken: 'rt_unknown_token' })).rejects.toThrow(RefreshTokenInvalidError);
  });

  test('when the token is older than its lifetime, then it is refused', async () => {
    const { f, uc, pair } = await signedIn({ sessionIdleSeconds: 30 * 86_400 });
    f.clock.advance(7 * 86_400 + 1);
    await expect(uc.refresh.execute({ refreshToken: pair.refreshToken })).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_INVALID',
    });
  });

  test('when the session has been idle too long or passed its absolute end, then SESSION_ENDED', async () => {
    const idle = await signedIn({ sessionIdleSeconds: 3600 });
    idle.f.clock.advance(3601);
    await expect(idle.uc.refresh.execute({ refreshToken: idle.pair.refreshToken })).rejects.toThrow(SessionEndedError);

    const absolute = await signedIn({ sessionAbsoluteSeconds: 60 });
    absolute.f.clock.advance(61);
    await expect(absolute.uc.refresh.execute({ refreshToken: absolute.pair.refreshToken })).rejects.toThrow(
      SessionEndedError,
    );
  });

  test('when the user has been banned, then the session cannot be refreshed', async () => {
    const { f, uc, user, pair } = await signedIn();
    f.users.rows.set(user.id, { ...user.toProps(), status: 'banned' });
    await expect(uc.refresh.execute({ refreshToken: pair.refreshToken })).rejects.toThrow(SessionEndedError);
  });
});
