import { build, PASSWORD, tokenFromLink } from './build.test-support';
import { authFixture } from './fakes.test-support';

async function registered() {
  const f = authFixture();
  const uc = build(f);
  const user = await uc.register.execute({ email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
  return { f, uc, user, token: tokenFromLink(f.mailer.sent[0]!.text) };
}

describe('VerifyEmail', () => {
  test('when the token is valid, then the user becomes active and verified', async () => {
    const { f, uc, user, token } = await registered();
    await uc.verify.execute({ token });
    const stored = await f.users.findById(user.id);
    expect(stored?.status).toBe('active');
    expect(stored?.isVerified).toBe(true);
    expect(f.audit.actions()).toContain('auth.email.verified');
  });

  test('when the token is used twice, then VERIFICATION_TOKEN_USED', async () => {
    const { uc, token } = await registered();
    await uc.verify.execute({ token });
    await expect(uc.verify.execute({ token })).rejects.toMatchObject({ code: 'VERIFICATION_TOKEN_USED' });
  });

  test('when the token is unknown, then VERIFICATION_TOKEN_INVALID', async () => {
    const { uc } = await registered();
    await expect(uc.verify.execute({ token: 'ev_not_a_real_token' })).rejects.toMatchObject({
      code: 'VERIFICATION_TOKEN_INVALID',
    });
  });

  test('when 24 hours have passed, then VERIFICATION_TOKEN_EXPIRED and the user stays pending', async () => {
    const { f, uc, user, token } = await registered();
    f.clock.advance(24 * 3600);
    await expect(uc.verify.execute({ token })).rejects.toMatchObject({ code: 'VERIFICATION_TOKEN_EXPIRED' });
    expect((await f.users.findById(user.id))?.status).toBe('pending_verification');
  });
});
