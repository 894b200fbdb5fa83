import { EmailTakenError } from '../../user/user.public';
import { WeakPasswordError } from '../domain/password';
import { build, PASSWORD, tokenFromLink } from './build.test-support';
import { authFixture } from './fakes.test-support';

describe('RegisterUser', () => {
  test('when the input is valid, then a pending user, a hashed verification token and an email are made', async () => {
    const f = authFixture();
    const user = await build(f).register.execute({ email: ' Ada@Example.COM ', password: PASSWORD, name: ' Ada ' });

    expect(user.status).toBe('pending_verification');
    expect(user.email.value).toBe('ada@example.com');
    expect(user.name).toBe('Ada');
    expect(user.passwordHash).toBe(`hashed:${PASSWORD}`);
    const [mail] = f.mailer.sent;
    expect(mail?.to).toBe('ada@example.com');
    expect(mail?.text).toContain('http://app.test/verify-email?token=');
    const secret = tokenFromLink(mail!.text);
    const [stored] = [...f.emailTokens.rows.values()];
    expect(stored?.tokenHash).toBe(f.tokens.hashSecret(secret));
    expect(JSON.stringify([...f.emailTokens.rows.values()])).not.toContain(`"${secret}"`);
    expect(f.audit.actions()).toEqual(['auth.register.succeeded']);
    expect(f.events.publish).toHaveBeenCalledWith(expect.objectContaining({ name: 'UserRegistered' }));
  });

  test('when the email is taken (in any case), then EmailTakenError and no email is sent', async () => {
    const f = authFixture();
    const { register } = build(f);
    await register.execute({ email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    f.mailer.sent.length = 0;

    await expect(register.execute({ email: 'ADA@example.com', password: PASSWORD, name: 'Other' })).rejects.toThrow(
      EmailTakenError,
    );
    expect(f.mailer.sent).toEqual([]);
  });

  test.each([
    ['too short', 'short1'],
    ['common', 'password123'],
    ['the email itself', 'ada@example.com'],
    ['too long', 'x'.repeat(129)],
  ])('when the password is %s, then WeakPasswordError and nothing is stored', async (_case, password) => {
    const f = authFixture();
    await expect(build(f).register.execute({ email: 'ada@example.com', password, name: 'Ada' })).rejects.toThrow(
      WeakPasswordError,
    );
    expect(f.users.rows.size).toBe(0);
    expect(f.emailTokens.rows.size).toBe(0);
  });

  test('when the email is malformed, then a validation error', async () => {
    const f = authFixture();
    await expect(build(f).register.execute({ email: 'not-an-email', password: PASSWORD, name: 'Ada' })).rejects.toThrow(
      /Invalid email/,
    );
  });
});
