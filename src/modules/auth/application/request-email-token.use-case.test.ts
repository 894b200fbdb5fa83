import { build, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';
import { EMAIL_TOKEN_JOB } from './request-email-token.use-case';

function setup() {
  const f = authFixture();
  return { f, request: build(f).request };
}

describe('RequestEmailToken', () => {
  test('when the account exists, then the request only enqueues a job, and the job emails a reset link', async () => {
    const { f, request } = setup();
    await seedUser(f);
    await request.execute({ email: 'ada@example.com', purpose: 'reset_password' });
    expect(f.mailer.sent).toEqual([]);
    expect(f.outbox.types()).toEqual([EMAIL_TOKEN_JOB]);
    await f.outbox.runAll();
    expect(f.mailer.sent[0]?.text).toContain('http://app.test/reset-password?token=pr_');
    expect(f.audit.actions()).toEqual(['auth.password.reset_requested']);
  });

  test('when the account does not exist, then the request does the same as for one that does, and nothing is sent; a malformed address enqueues nothing', async () => {
    const { f, request } = setup();
    await request.execute({ email: 'nobody@example.com', purpose: 'reset_password' });
    await request.execute({ email: 'not an email', purpose: 'reset_password' });
    expect(f.outbox.types()).toEqual([EMAIL_TOKEN_JOB]);
    await f.outbox.runAll();
    expect(f.mailer.sent).toEqual([]);
    expect(f.emailTokens.rows.size).toBe(0);
  });

  test('when a verified user asks for verification, then nothing is sent; a pending one gets a new link', async () => {
    const { f, request } = setup();
    await seedUser(f, 'active', 'done@example.com');
    await seedUser(f, 'pending_verification', 'new@example.com');
    await request.execute({ email: 'done@example.com', purpose: 'verify_email' });
    await request.execute({ email: 'new@example.com', purpose: 'verify_email' });
    await f.outbox.runAll();
    expect(f.mailer.sent.map((m) => m.to)).toEqual(['new@example.com']);
  });

  test('when a banned user asks for a reset, then nothing is sent', async () => {
    const { f, request } = setup();
    await seedUser(f, 'banned');
    await request.execute({ email: 'ada@example.com', purpose: 'reset_password' });
    await f.outbox.runAll();
    expect(f.mailer.sent).toEqual([]);
  });

  test('when the same job runs twice, then one token is issued and one email sent', async () => {
    const { f, request } = setup();
    await seedUser(f);
    const job = { id: '7b0c4f0e-7a43-4a8e-9a5e-5d1f9c3b2a10', attempt: 1 };
    await request.issue({ email: 'ada@example.com', purpose: 'reset_password' }, job);
    await request.issue({ email: 'ada@example.com', purpose: 'reset_password' }, { ...job, attempt: 2 });
    expect(f.mailer.sent).toHaveLength(1);
    expect(f.emailTokens.rows.size).toBe(1);
  });
});
