import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  API,
  CHANGED_SUBJECT,
  expectError,
  login,
  mailsTo,
  me,
  OTHER_STRONG_PASSWORD,
  refresh,
  register,
  RESET_SUBJECT,
  STRONG_PASSWORD,
  uniqueEmail,
  verificationToken,
} from '../../support/auth-helpers';
import { FakeClock } from '../../support/fake-clock';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../../support/smtp-receiver';
import { backgroundWorkDone, execute, rowsAsJson } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('forgot-password and reset-password', () => {
  const clock = new FakeClock();
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env(), { configure: clock.install() });
  });
  afterEach(() => clock.reset());
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const forgot = (email: string) => request(server.url).post(`${API}/auth/forgot-password`).send({ email });
  const reset = (token: string, password: string) =>
    request(server.url).post(`${API}/auth/reset-password`).send({ token, password });

  /** An account that asked for a reset, with the token from the mail. */
  async function resetRequested(): Promise<{ email: string; userId: string; token: string }> {
    const { email, user } = await register(server.url);
    expect((await forgot(email)).status).toBe(202);
    const mail = await receiver.waitForMail(mailTo(email, RESET_SUBJECT));
    return { email, userId: user.id, token: tokenFrom(mail, 'reset-password') };
  }

  test('when the address exists or not, then the same 202 answer, and only the existing one gets a reset link', async () => {
    const { email } = await register(server.url);
    const unknown = uniqueEmail();

    const forUnknown = await forgot(unknown);
    const forKnown = await forgot(email);

    expect(forKnown.status).toBe(202);
    expect(forUnknown.status).toBe(202);
    expect(forKnown.body).toEqual(forUnknown.body);
    const mail = await receiver.waitForMail(mailTo(email, RESET_SUBJECT));
    expect(mail.text).toMatch(/http:\/\/app\.test\/reset-password\?token=pr_[\w%-]{43,}/);
    await backgroundWorkDone(server);
    expect(mailsTo(receiver, unknown)).toEqual([]);
  });

  test('when the address is malformed, then still the same 202 answer', async () => {
    const res = await forgot('not-an-email');

    expect(res.status).toBe(202);
    expect(res.body).toEqual({ data: { message: expect.any(String) } });
  });

  test('when the reset token is stored, then only its hash is kept', async () => {
    const { userId, token } = await resetRequested();

    const rows = (
      await rowsAsJson(server, 'public.email_tokens', "user_id = $1 AND purpose = 'reset_password'", [userId])
    ).join('\n');

    expect(rows).toContain(createHash('sha256').update(token).digest('hex'));
    expect(rows).not.toContain(token);
  });

  test('when the account is banned, then no reset mail is sent', async () => {
    const { email, user } = await register(server.url);
    await execute(server, "UPDATE public.users SET status = 'banned' WHERE id = $1", [user.id]);

    expect((await forgot(email)).status).toBe(202);

    await backgroundWorkDone(server);
    expect(mailsTo(receiver, email).filter((m) => m.subject === RESET_SUBJECT)).toEqual([]);
  });

  test('when the new password is weak, then 400 WEAK_PASSWORD and the token still works with a good one', async () => {
    const { token } = await resetRequested();

    const weak = await reset(token, 'password123');
    const good = await reset(token, OTHER_STRONG_PASSWORD);

    expectError(weak, 400, 'WEAK_PASSWORD');
    expect(good.status).toBe(204);
  });

  test('when the password is reset, then only the new one works, every session ends and a notice is mailed', async () => {
    const { email, password } = await register(server.url);
    const before = [await login(server.url, email, password), await login(server.url, email, password)];
    for (const session of before) expect((await me(server.url, session.accessToken)).status).toBe(200);
    await forgot(email);
    const token = tokenFrom(await receiver.waitForMail(mailTo(email, RESET_SUBJECT)), 'reset-password');

    const res = await reset(token, OTHER_STRONG_PASSWORD);

    expect(res.status).toBe(204);
    expectError(
      await request(server.url).post(`${API}/auth/login`).send({ email, password: STRONG_PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    expect((await login(server.url, email, OTHER_STRONG_PASSWORD)).accessToken).toEqual(expect.any(String));
    for (const session of before) {
      expectError(await me(server.url, session.accessToken), 401, 'TOKEN_INVALID');
      expectError(await refresh(server.url, session.refreshToken!), 401, 'SESSION_ENDED');
    }
    const notice = await receiver.waitForMail(mailTo(email, CHANGED_SUBJECT));
    expect(notice.text).not.toContain(OTHER_STRONG_PASSWORD);
  });

  test('when two resets race with one token, then exactly one succeeds and its password is the one set', async () => {
    const { email, token } = await resetRequested();

    const results = await Promise.all([
      reset(token, OTHER_STRONG_PASSWORD),
      reset(token, 'Third-Strong-Passphrase-77'),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
    expect(results.find((r) => r.status === 400)!.body.error.code).toBe('RESET_TOKEN_USED');
    const winner = results[0].status === 204 ? OTHER_STRONG_PASSWORD : 'Third-Strong-Passphrase-77';
    expect((await login(server.url, email, winner)).accessToken).toEqual(expect.any(String));
  });

  test('when the address is typed in another letter case, then the reset link still goes to the account', async () => {
    const { email } = await register(server.url);

    expect((await forgot(`  ${email.toUpperCase()} `)).status).toBe(202);

    const mail = await receiver.waitForMail(mailTo(email, RESET_SUBJECT));
    expect(mail.to).toBe(email);
  });

  test('when the reset token is used twice, then the second use is 400 RESET_TOKEN_USED', async () => {
    const { token } = await resetRequested();
    expect((await reset(token, OTHER_STRONG_PASSWORD)).status).toBe(204);

    expectError(await reset(token, 'Yet-Another-Password-8080'), 400, 'RESET_TOKEN_USED');
  });

  test('when the reset token is over an hour old, then 400 RESET_TOKEN_EXPIRED and the old password still works', async () => {
    const { email, token } = await resetRequested();
    clock.advance(2 * 3600);

    const res = await reset(token, OTHER_STRONG_PASSWORD);

    expectError(res, 400, 'RESET_TOKEN_EXPIRED');
    clock.reset();
    expect((await login(server.url, email, STRONG_PASSWORD)).accessToken).toEqual(expect.any(String));
  });

  test('when a second reset is requested, then the first link is retired', async () => {
    const { email, token: first } = await resetRequested();
    const firstMail = receiver.mails.find(mailTo(email, RESET_SUBJECT));
    await forgot(email);
    const secondMail = await receiver.waitForMail((m) => mailTo(email, RESET_SUBJECT)(m) && m !== firstMail);

    expectError(await reset(first, OTHER_STRONG_PASSWORD), 400, 'RESET_TOKEN_USED');
    expect((await reset(tokenFrom(secondMail, 'reset-password'), OTHER_STRONG_PASSWORD)).status).toBe(204);
  });

  test('when the reset token is unknown, then 400 RESET_TOKEN_INVALID', async () => {
    expectError(
      await reset(`pr_${randomBytes(32).toString('base64url')}`, OTHER_STRONG_PASSWORD),
      400,
      'RESET_TOKEN_INVALID',
    );
  });

  test('when a verification token is used as a reset token, then 400 RESET_TOKEN_INVALID', async () => {
    const { email } = await register(server.url);
    const verification = await verificationToken(receiver, email);

    expectError(await reset(verification, OTHER_STRONG_PASSWORD), 400, 'RESET_TOKEN_INVALID');
  });
});
