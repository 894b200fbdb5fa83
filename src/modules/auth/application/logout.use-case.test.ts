import { build, PASSWORD, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';

async function twoSessions() {
  const f = authFixture();
  const uc = build(f);
  await seedUser(f);
  const a = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
  const b = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
  const principalA = await uc.authenticator.authenticate(a.accessToken);
  return { f, uc, a, b, principalA };
}

describe('Logout', () => {
  test('when scope is local, then this session and its access token end, the other session lives', async () => {
    const { uc, a, b, principalA } = await twoSessions();
    await uc.logout.execute({ principal: principalA, scope: 'local' });

    await expect(uc.authenticator.authenticate(a.accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(uc.refresh.execute({ refreshToken: a.refreshToken })).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await expect(uc.authenticator.authenticate(b.accessToken)).resolves.toBeDefined();
  });

  test('when scope is global, then every session of the user ends', async () => {
    const { f, uc, b, principalA } = await twoSessions();
    await uc.logout.execute({ principal: principalA, scope: 'global' });
    await expect(uc.authenticator.authenticate(b.accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect([...f.sessions.sessions.values()].every((s) => s.revokedAt)).toBe(true);
    expect(f.audit.entries.at(-1)).toEqual(
      expect.objectContaining({ action: 'auth.logout', metadata: { scope: 'global', sessions: 2 } }),
    );
  });

  test('when scope is others, then the other sessions end and this one keeps working', async () => {
    const { uc, a, b, principalA } = await twoSessions();
    await uc.logout.execute({ principal: principalA, scope: 'others' });
    await expect(uc.authenticator.authenticate(a.accessToken)).resolves.toBeDefined();
    await expect(uc.authenticator.authenticate(b.accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
