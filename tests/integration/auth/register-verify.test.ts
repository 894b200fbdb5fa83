import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  API,
  expectError,
  login,
  mailsTo,
  me,
  register,
  STRONG_PASSWORD,
  uniqueEmail,
  VERIFY_SUBJECT,
  verificationToken,
} from '../../support/auth-helpers';
import { FakeClock } from '../../support/fake-clock';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../../support/smtp-receiver';
import { backgroundWorkDone, execute, rowsAsJson, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

const DAY_SECONDS = 24 * 3600;

describe('registration and email verification', () => {
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

  const registerRaw = (body: object) => request(server.url).post(`${API}/auth/register`).send(body);
  const verify = (token: string) => request(server.url).post(`${API}/auth/verify-email`).send({ token });

  describe('register', () => {
    test('when the input is valid, then 201 with the pending user and no password or hash anywhere', async () => {
      const email = uniqueEmail();

      const res = await registerRaw({ email: email.toUpperCase(), password: STRONG_PASSWORD, name: ' Ada ' });

      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        data: {
          id: expect.any(String),
          email,
          name: 'Ada',
          avatarUrl: null,
          locale: null,
          timezone: null,
          status: 'pending_verification',
          emailVerified: false,
          lastLoginAt: null,
          createdAt: expect.any(String),
        },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|hash|\$2[aby]\$/i);
      expect(JSON.stringify(res.body)).not.toContain(STRONG_PASSWORD);
    });

    test('when an account is created, then the database holds a bcrypt hash, never the password', async () => {
      const { user } = await register(server.url);

      const [row] = await selectRows<{ password_hash: string }>(
        server,
        'SELECT password_hash FROM public.users WHERE id = $1',
        [user.id],
      );

      expect(row!.password_hash).toMatch(/^\$2[aby]\$04\$/);
      expect((await rowsAsJson(server, 'public.users', 'id = $1', [user.id]))[0]).not.toContain(STRONG_PASSWORD);
    });

    test('when the email is taken in another letter case, then 409 EMAIL_TAKEN', async () => {
      const { email } = await register(server.url);

      const res = await registerRaw({ email: `  ${email.toUpperCase()} `, password: STRONG_PASSWORD, name: 'Eve' });

      expectError(res, 409, 'EMAIL_TAKEN');
    });

    test.each([
      ['too short', () => 'Ab3$xyz'],
      ['in the common-password list', () => 'password123'],
      ['too long (129 code points)', () => 'x'.repeat(129)],
    ])('when the password is %s, then 400 WEAK_PASSWORD and no account is created', async (_case, password) => {
      const email = uniqueEmail();

      const res = await registerRaw({ email, password: password(), name: 'Ada' });

      expectError(res, 400, 'WEAK_PASSWORD');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
      expect((await registerRaw({ email, password: STRONG_PASSWORD, name: 'Ada' })).status).toBe(201);
    });

    test('when two registrations of one address race, then one 201 and one 409, never a 500', async () => {
      const email = uniqueEmail();

      const results = await Promise.all([
        registerRaw({ email, password: STRONG_PASSWORD, name: 'Ada' }),
        registerRaw({ email: email.toUpperCase(), password: STRONG_PASSWORD, name: 'Eve' }),
      ]);

      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe('EMAIL_TAKEN');
    });

    test('when the previous owner of an address was deleted, then the address can be registered again', async () => {
      const { email, user } = await register(server.url);
      await execute(server, 'UPDATE public.users SET deleted_at = now() WHERE id = $1', [user.id]);

      const res = await registerRaw({ email, password: STRONG_PASSWORD, name: 'Ada' });

      expect(res.status).toBe(201);
      expect(res.body.data.id).not.toBe(user.id);
    });

    test('when the password equals the email or its local part, then 400 WEAK_PASSWORD', async () => {
      const email = `long-local-part-${randomBytes(4).toString('hex')}@example.com`;

      const whole = await registerRaw({ email, password: email.toUpperCase(), name: 'Ada' });
      const local = await registerRaw({ email, password: email.split('@')[0], name: 'Ada' });

      expectError(whole, 400, 'WEAK_PASSWORD');
      expectError(local, 400, 'WEAK_PASSWORD');
    });

    test.each(['not-an-email', 'a@b', 'two@@example.com', 'spaces in@example.com', ''])(
      'when the email is "%s", then 400 VALIDATION_ERROR on the email',
      async (email) => {
        const res = await registerRaw({ email, password: STRONG_PASSWORD, name: 'Ada' });

        expectError(res, 400, 'VALIDATION_ERROR');
        expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
      },
    );

    test('when the body has an unknown field, then 400 VALIDATION_ERROR and no account is created', async () => {
      const email = uniqueEmail();

      const res = await registerRaw({ email, password: STRONG_PASSWORD, name: 'Ada', status: 'active' });

      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([expect.objectContaining({ code: 'unrecognized_keys' })]);
      expect(await selectRows(server, 'SELECT id FROM public.users WHERE email = $1', [email])).toEqual([]);
    });

    test('when an account is created, then a verification mail links to the frontend with a token', async () => {
      const { email } = await register(server.url);

      const mail = await receiver.waitForMail(mailTo(email, VERIFY_SUBJECT));

      expect(mail.text).toMatch(/http:\/\/app\.test\/verify-email\?token=[A-Za-z0-9_%-]{20,}/);
      expect(mail.html).toContain(`href="http://app.test/verify-email?token=`);
      expect(tokenFrom(mail, 'verify-email')).toMatch(/^ev_[A-Za-z0-9_-]{43}$/);
    });

    test('when the name holds HTML, then the verification mail escapes it', async () => {
      const { email } = await register(server.url, { name: '<img src=x onerror=alert(1)>' });

      const mail = await receiver.waitForMail(mailTo(email, VERIFY_SUBJECT));

      expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(mail.html).not.toContain('<img');
    });

    test('when the verification token is stored, then only its SHA-256 hash is kept, in no column the token', async () => {
      const { email, user } = await register(server.url);
      const token = await verificationToken(receiver, email);

      const rows = await selectRows<{ token_hash: string; purpose: string }>(
        server,
        'SELECT token_hash, purpose FROM public.email_tokens WHERE user_id = $1',
        [user.id],
      );
      const everything = [
        ...(await rowsAsJson(server, 'public.email_tokens', 'user_id = $1', [user.id])),
        ...(await rowsAsJson(server, 'public.users', 'id = $1', [user.id])),
        ...(await rowsAsJson(server, 'public.audit_events', 'actor_id = $1', [user.id])),
      ].join('\n');

      expect(rows).toEqual([{ purpose: 'verify_email', token_hash: expect.any(String) }]);
      expect(rows[0]!.token_hash).not.toBe(token);
      expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.slice(3));
    });
  });

  describe('verify-email', () => {
    test('when the token from the mail is used, then the account is verified and active', async () => {
      const { email, password } = await register(server.url);
      const token = await verificationToken(receiver, email);

      const res = await verify(token);

      expect(res.status).toBe(204);
      const profile = await me(server.url, (await login(server.url, email, password)).accessToken);
      expect(profile.status).toBe(200);
      expect(profile.body.data).toEqual(expect.objectContaining({ email, emailVerified: true, status: 'active' }));
    });

    test('when the token is used twice, then the second use is 400 VERIFICATION_TOKEN_USED', async () => {
      const { email } = await register(server.url);
      const token = await verificationToken(receiver, email);
      expect((await verify(token)).status).toBe(204);

      const res = await verify(token);

      expectError(res, 400, 'VERIFICATION_TOKEN_USED');
    });

    test('when the same token is used twice at once, then exactly one use succeeds', async () => {
      const { email } = await register(server.url);
      const token = await verificationToken(receiver, email);

      const results = await Promise.all([verify(token), verify(token)]);

      expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
      expect(results.find((r) => r.status === 400)!.body.error.code).toBe('VERIFICATION_TOKEN_USED');
    });

    test('when the token is unknown, then 400 VERIFICATION_TOKEN_INVALID', async () => {
      const res = await verify(`ev_${randomBytes(32).toString('base64url')}`);

      expectError(res, 400, 'VERIFICATION_TOKEN_INVALID');
    });

    test('when the token is more than 24 h old, then 400 VERIFICATION_TOKEN_EXPIRED and the account stays pending', async () => {
      const { email, password } = await register(server.url);
      const token = await verificationToken(receiver, email);
      clock.advance(DAY_SECONDS + 1);

      const res = await verify(token);

      expectError(res, 400, 'VERIFICATION_TOKEN_EXPIRED');
      const profile = await me(server.url, (await login(server.url, email, password)).accessToken);
      expect(profile.body.data).toEqual(
        expect.objectContaining({ emailVerified: false, status: 'pending_verification' }),
      );
    });

    test('when the token is just under 24 h old, then it still verifies', async () => {
      const { email } = await register(server.url);
      const token = await verificationToken(receiver, email);
      clock.advance(DAY_SECONDS - 60);

      expect((await verify(token)).status).toBe(204);
    });
  });

  describe('resend-verification', () => {
    const resend = (email: string) => request(server.url).post(`${API}/auth/resend-verification`).send({ email });

    test('when the address exists or not, then the same 202 answer, and only the existing one gets a new mail', async () => {
      const { email } = await register(server.url);
      const first = await receiver.waitForMail(mailTo(email, VERIFY_SUBJECT));
      const unknown = uniqueEmail();

      const forUnknown = await resend(unknown);
      const forKnown = await resend(email);

      expect(forKnown.status).toBe(202);
      expect(forUnknown.status).toBe(202);
      expect(forKnown.body).toEqual(forUnknown.body);
      expect(forKnown.body).toEqual({ data: { message: expect.any(String) } });
      const second = await receiver.waitForMail((m) => mailTo(email, VERIFY_SUBJECT)(m) && m !== first);
      expect(tokenFrom(second, 'verify-email')).not.toBe(tokenFrom(first, 'verify-email'));
      await backgroundWorkDone(server);
      expect(mailsTo(receiver, unknown)).toEqual([]);
    });

    test('when a new verification mail is sent, then only its link works and the older one is retired', async () => {
      const { email } = await register(server.url);
      const first = await receiver.waitForMail(mailTo(email, VERIFY_SUBJECT));
      await resend(email);
      const second = await receiver.waitForMail((m) => mailTo(email, VERIFY_SUBJECT)(m) && m !== first);

      const old = await verify(tokenFrom(first, 'verify-email'));
      const fresh = await verify(tokenFrom(second, 'verify-email'));

      expectError(old, 400, 'VERIFICATION_TOKEN_USED');
      expect(fresh.status).toBe(204);
    });

    test('when the address is already verified, then no new mail is sent', async () => {
      const { email } = await register(server.url);
      expect((await verify(await verificationToken(receiver, email))).status).toBe(204);

      const res = await resend(email);

      expect(res.status).toBe(202);
      await backgroundWorkDone(server);
      expect(mailsTo(receiver, email)).toHaveLength(1);
    });
  });
});
