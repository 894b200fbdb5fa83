import { build, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';

describe('RequestEmailToken', () => {
  test('when the account exists, then a reset link is emailed after the call returns', async () => {
    const f = authFixture();
    await seedUser(f);
    build(f).request.execute({ email: 'ada@example.com', purpose: 'reset_password' });
    expect(f.mailer.sent).toEqual([]);
    await f.tasks.flush();
    expect(f.mailer.sent[0]?.text).toContain('http://app.test/reset-password?token=pr_');
    expect(f.audit.actions()).toEqual(['auth.password.reset_requested']);
  });

  test('when the account does not exist or the email is malformed, then nothing is sent', async () => {
    const f = authFixture();
    const { request } = build(f);
    request.execute({ email: 'nobody@example.com', purpose: 'reset_password' });
    request.execute({ email: 'not an email', purpose: 'reset_password' });
    await f.tasks.flush();
    expect(f.mailer.sent).toEqual([]);
    expect(f.emailTokens.rows.size).toBe(0);
  });

  test('when a verified user asks for verification, then nothing is sent; a pending one gets a new link', async () => {
    const f = authFixture();
    await seedUser(f, 'active', 'done@example.com');
    await seedUser(f, 'pending_verification', 'new@example.com');
    const { request } = build(f);
    request.execute({ email: 'done@example.com', purpose: 'verify_email' });
    request.execute({ email: 'new@example.com', purpose: 'verify_email' });
    await f.tasks.flush();
    expect(f.mailer.sent.map((m) => m.to)).toEqual(['new@example.com']);
  });

  test('when a banned user asks for a reset, then nothing is sent', async () => {
    const f = authFixture();
    await seedUser(f, 'banned');
    build(f).request.execute({ email: 'ada@example.com', purpose: 'reset_password' });
    await f.tasks.flush();
    expect(f.mailer.sent).toEqual([]);
  });
});
