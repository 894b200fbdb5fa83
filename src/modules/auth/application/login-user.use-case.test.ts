import {
  AccountBannedError,
  AccountInactiveError,
  EmailNotVerifiedError,
  InvalidCredentialsError,
} from '../domain/errors';
import { build, PASSWORD, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';

describe('LoginUser', () => {
  test('when the credentials are right, then a session with a token pair starts and the login is recorded', async () => {
    const f = authFixture();
    const user = await seedUser(f);
    const result = await build(f).login.execute({ email: 'ADA@example.com', password: PASSWORD });

    expect(result.expiresIn).toBe(900);
    expect(f.tokens.verifyAccessToken(result.accessToken).sub).toBe(user.id);
    expect(result.refreshToken).toMatch(/^rt_/);
    expect(f.sessions.sessions.size).toBe(1);
    expect((await f.users.findById(user.id))?.lastLoginAt).toEqual(f.clock.now());
    expect(f.audit.actions()).toEqual(['auth.login.succeeded']);
    expect(f.events.publish).toHaveBeenCalledWith(expect.objectContaining({ name: 'UserLoggedIn' }));
  });

  test('when the email is unknown, then the dummy hash is still compared and INVALID_CREDENTIALS is audited', async () => {
    const f = authFixture();
    await expect(build(f).login.execute({ email: 'nobody@example.com', password: PASSWORD })).rejects.toThrow(
      InvalidCredentialsError,
    );
    expect(f.hasher.verified).toEqual([null]);
    expect(f.audit.entries).toEqual([
      expect.objectContaining({ action: 'auth.login.failed', metadata: { reason: 'bad_credentials' } }),
    ]);
    expect(JSON.stringify(f.audit.entries)).not.toContain(PASSWORD);
  });

  test('when the password is wrong, then INVALID_CREDENTIALS and no session', async () => {
    const f = authFixture();
    await seedUser(f);
    await expect(build(f).login.execute({ email: 'ada@example.com', password: 'wrong password!' })).rejects.toThrow(
      InvalidCredentialsError,
    );
    expect(f.sessions.sessions.size).toBe(0);
  });

  test.each([
    ['banned', AccountBannedError],
    ['inactive', AccountInactiveError],
  ] as const)('when the account is %s and the password is right, then its distinct error', async (status, error) => {
    const f = authFixture();
    await seedUser(f, status);
    await expect(build(f).login.execute({ email: 'ada@example.com', password: PASSWORD })).rejects.toThrow(error);
    expect(f.sessions.sessions.size).toBe(0);
  });

  test('when a banned account gives a wrong password, then only INVALID_CREDENTIALS (status is not disclosed)', async () => {
    const f = authFixture();
    await seedUser(f, 'banned');
    await expect(build(f).login.execute({ email: 'ada@example.com', password: 'wrong password!' })).rejects.toThrow(
      InvalidCredentialsError,
    );
  });

  test('when verification is required and the email is unverified, then EMAIL_NOT_VERIFIED', async () => {
    const f = authFixture({ requireEmailVerification: true });
    await seedUser(f, 'pending_verification');
    await expect(build(f).login.execute({ email: 'ada@example.com', password: PASSWORD })).rejects.toThrow(
      EmailNotVerifiedError,
    );
  });

  test('when verification is not required, then an unverified user may sign in', async () => {
    const f = authFixture({ requireEmailVerification: false });
    await seedUser(f, 'pending_verification');
    await expect(build(f).login.execute({ email: 'ada@example.com', password: PASSWORD })).resolves.toBeDefined();
  });
});
