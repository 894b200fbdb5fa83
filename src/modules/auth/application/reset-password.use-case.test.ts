import { WeakPasswordError } from '../domain/password';
import { build, PASSWORD, seedUser, tokenFromLink } from './build.test-support';
import { authFixture } from './fakes.test-support';

const NEW_PASSWORD = 'an entirely new passphrase';

async function resetRequested() {
  const f = authFixture();
  const uc = build(f);
  const user = await seedUser(f);
  const session = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
  await uc.request.execute({ email: 'ada@example.com', purpose: 'reset_password' });
  await f.outbox.runAll();
  return { f, uc, user, session, token: tokenFromLink(f.mailer.sent[0]!.text) };
}

describe('ResetPassword', () => {
  test('when the token and password are good, then the password changes, sessions end and a notice is sent', async () => {
    const { f, uc, user, session, token } = await resetRequested();
    await uc.reset.execute({ token, password: NEW_PASSWORD });

    expect((await f.users.findById(user.id))?.passwordHash).toBe(`hashed:${NEW_PASSWORD}`);
    await expect(uc.authenticator.authenticate(session.accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(uc.refresh.execute({ refreshToken: session.refreshToken })).rejects.toMatchObject({
      code: 'SESSION_ENDED',
    });
    expect(f.mailer.sent.at(-1)?.subject).toBe('Your password was changed');
    expect(f.audit.actions()).toContain('auth.password.reset');
  });

  test('when the token is used twice, then RESET_TOKEN_USED', async () => {
    const { uc, token } = await resetRequested();
    await uc.reset.execute({ token, password: NEW_PASSWORD });
    await expect(uc.reset.execute({ token, password: 'yet another passphrase' })).rejects.toMatchObject({
      code: 'RESET_TOKEN_USED',
    });
  });

  test('when the new password is weak, then it is refused and the token still works', async () => {
    const { uc, token } = await resetRequested();
    await expect(uc.reset.execute({ token, password: 'password123' })).rejects.toThrow(WeakPasswordError);
    await expect(uc.reset.execute({ token, password: NEW_PASSWORD })).resolves.toBeUndefined();
  });

  test('when an hour has passed, then RESET_TOKEN_EXPIRED', async () => {
    const { f, uc, token } = await resetRequested();
    f.clock.advance(3600);
    await expect(uc.reset.execute({ token, password: NEW_PASSWORD })).rejects.toMatchObject({
      code: 'RESET_TOKEN_EXPIRED',
    });
  });

  test('when the token is unknown, then RESET_TOKEN_INVALID', async () => {
    const { uc } = await resetRequested();
    await expect(uc.reset.execute({ token: 'pr_unknown_token', password: NEW_PASSWORD })).rejects.toMatchObject({
      code: 'RESET_TOKEN_INVALID',
    });
  });
});
