import { build, PASSWORD, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';

async function signedInTwice() {
  const f = authFixture();
  const uc = build(f);
  await seedUser(f);
  const a = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
  f.clock.advance(60);
  const b = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
  const principalA = await uc.authenticator.authenticate(a.accessToken);
  const principalB = await uc.authenticator.authenticate(b.accessToken);
  return { f, uc, a, b, principalA, principalB };
}

describe('ListSessions', () => {
  test("when a user has two sessions, then both are listed, newest first, the caller's marked current", async () => {
    const { uc, principalA, principalB } = await signedInTwice();

    const page = await uc.listSessions.execute({ principal: principalA, page: 1, limit: 20 });

    expect(page.meta).toEqual({ page: 1, limit: 20, total: 2 });
    expect(page.items.map((s) => [s.id, s.current])).toEqual([
      [principalB.sessionId, false],
      [principalA.sessionId, true],
    ]);
  });

  test('when a session was revoked, then it is no longer listed', async () => {
    const { uc, principalA, principalB } = await signedInTwice();
    await uc.revokeSession.execute({ principal: principalA, sessionId: principalB.sessionId });

    const page = await uc.listSessions.execute({ principal: principalA, page: 1, limit: 20 });

    expect(page.items.map((s) => s.id)).toEqual([principalA.sessionId]);
  });
});

describe('RevokeSession', () => {
  test('when the owner revokes another of their sessions, then its tokens stop, it is audited and announced', async () => {
    const { f, uc, a, b, principalA, principalB } = await signedInTwice();

    await uc.revokeSession.execute({ principal: principalA, sessionId: principalB.sessionId });

    await expect(uc.authenticator.authenticate(b.accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(uc.refresh.execute({ refreshToken: b.refreshToken })).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await expect(uc.authenticator.authenticate(a.accessToken)).resolves.toBeDefined();
    expect(f.audit.entries.at(-1)).toEqual(
      expect.objectContaining({ action: 'auth.session.revoked', targetId: principalB.sessionId }),
    );
    expect(f.events.publish).toHaveBeenLastCalledWith(
      expect.objectContaining({
        name: 'SessionsEnded',
        payload: { userId: principalA.userId, sessionIds: [principalB.sessionId], reason: 'revoked_by_user' },
      }),
    );
  });

  test('when the session belongs to another user, then SESSION_NOT_FOUND and it keeps working', async () => {
    const { f, uc, principalA } = await signedInTwice();
    await seedUser(f, 'active', 'eve@example.com');
    const eve = await uc.login.execute({ email: 'eve@example.com', password: PASSWORD });
    const evePrincipal = await uc.authenticator.authenticate(eve.accessToken);

    await expect(
      uc.revokeSession.execute({ principal: evePrincipal, sessionId: principalA.sessionId }),
    ).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });

    expect(f.audit.actions().at(-1)).toBe('auth.session.revoke_refused');
    await expect(uc.listSessions.execute({ principal: principalA, page: 1, limit: 5 })).resolves.toMatchObject({
      meta: { total: 2 },
    });
  });

  test('when the session is unknown or already ended, then SESSION_NOT_FOUND', async () => {
    const { uc, principalA, principalB } = await signedInTwice();
    await uc.revokeSession.execute({ principal: principalA, sessionId: principalB.sessionId });

    for (const sessionId of [principalB.sessionId, '00000000-0000-4000-8000-000000000000']) {
      await expect(uc.revokeSession.execute({ principal: principalA, sessionId })).rejects.toMatchObject({
        code: 'SESSION_NOT_FOUND',
      });
    }
  });
});
