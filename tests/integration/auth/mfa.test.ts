import { generate } from 'otplib';
import request from 'supertest';
import { API, bearer, decodeJwtPart, expectError, me, register, STRONG_PASSWORD } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { rowsAsJson, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';
import { closeAllClients, connectWorkspace, openWorkspace } from '../realtime/helpers';

/** The code an authenticator app shows `offsetSeconds` from now (real RFC 6238, computed by otplib). */
const totp = (secret: string, offsetSeconds = 0): Promise<string> =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

describe('two-factor authentication (TOTP)', () => {
  let server: TestServer;
  let receiver: SmtpReceiver;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterEach(() => closeAllClients());
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const post = (path: string, body: object, accessToken?: string) => {
    const req = request(server.url).post(`${API}${path}`);
    return (accessToken ? req.set(bearer(accessToken)) : req).send(body);
  };
  const passwordStep = (email: string, password = STRONG_PASSWORD, extra: object = {}) =>
    post('/auth/login', { email, password, ...extra });

  /** Signs in a fresh account, enrols and activates TOTP with the code of the current step. */
  async function enrolledAccount() {
    const { email, user } = await register(server.url);
    const signedIn = (await passwordStep(email)).body.data;
    const enrol = await post('/auth/mfa/totp', {}, signedIn.accessToken);
    expect(enrol.status).toBe(201);
    const { secret } = enrol.body.data as { secret: string };
    const verified = await post('/auth/mfa/totp/verify', { code: await totp(secret) }, signedIn.accessToken);
    expect(verified.status).toBe(200);
    return { email, user, secret, accessToken: signedIn.accessToken as string, ...verified.body.data };
  }

  test('when a user enrols, then an otpauth URI and an SVG QR code come back and the seed is stored sealed', async () => {
    const { email, user } = await register(server.url);
    const { accessToken } = (await passwordStep(email)).body.data;

    const res = await post('/auth/mfa/totp', {}, accessToken);

    expect(res.status).toBe(201);
    const { secret, otpauthUri, qrCode } = res.body.data;
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(Buffer.from(qrCode.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toContain('<svg');
    const rows = (await rowsAsJson(server, 'public.mfa_totp', 'user_id = $1', [user.id])).join();
    expect(rows).not.toContain(secret);
    expect((await request(server.url).get(`${API}/auth/mfa`).set(bearer(accessToken))).body.data).toEqual({
      totpEnabled: false,
    });
  });

  test('when enrolled and verified, then sign-in takes two steps and the first gives no access token', async () => {
    const { email, secret, recoveryCodes, user } = await enrolledAccount();
    expect(recoveryCodes).toHaveLength(10);
    const stored = (await rowsAsJson(server, 'public.mfa_recovery_codes', 'user_id = $1', [user.id])).join();
    recoveryCodes.forEach((code: string) => expect(stored).not.toContain(code.replace(/-/g, '')));

    const first = await passwordStep(email);

    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ mfaRequired: true, mfaToken: expect.stringMatching(/^mfa_/), expiresIn: 300 });
    const second = await post('/auth/mfa/challenge', {
      mfaToken: first.body.data.mfaToken,
      code: await totp(secret, 30),
    });
    expect(second.status).toBe(200);
    expect(second.body.data).toMatchObject({ tokenType: 'Bearer', refreshToken: expect.stringMatching(/^rt_/) });
    expect((await me(server.url, second.body.data.accessToken)).status).toBe(200);
    const audit = await selectRows<{ action: string; metadata: object }>(
      server,
      `SELECT action, metadata FROM public.audit_events WHERE actor_id = $1 AND action LIKE 'auth.login.%' ORDER BY at`,
      [user.id],
    );
    expect(audit.slice(-2)).toEqual([
      { action: 'auth.login.mfa_required', metadata: {} },
      { action: 'auth.login.succeeded', metadata: { mfa: 'totp' } },
    ]);
  });

  test('when a used code or MFA token comes again, then it is refused (replay)', async () => {
    const { email, secret } = await enrolledAccount();
    const code = await totp(secret, 30);
    const first = (await passwordStep(email)).body.data.mfaToken;
    expect((await post('/auth/mfa/challenge', { mfaToken: first, code })).status).toBe(200);

    expectError(await post('/auth/mfa/challenge', { mfaToken: first, code }), 401, 'MFA_TOKEN_INVALID');
    const again = (await passwordStep(email)).body.data.mfaToken;
    expectError(await post('/auth/mfa/challenge', { mfaToken: again, code }), 401, 'MFA_CODE_REPLAYED');
  });

  test('when a recovery code is used, then it signs in once and not twice', async () => {
    const { email, recoveryCodes } = await enrolledAccount();
    const [code] = recoveryCodes as string[];

    const once = await post('/auth/mfa/challenge', {
      mfaToken: (await passwordStep(email)).body.data.mfaToken,
      recoveryCode: code,
    });
    const twice = await post('/auth/mfa/challenge', {
      mfaToken: (await passwordStep(email)).body.data.mfaToken,
      recoveryCode: code,
    });

    expect(once.status).toBe(200);
    expectError(twice, 401, 'MFA_CODE_INVALID');
  });

  test('when wrong codes keep coming, then after five the account answers 429 even to the right code', async () => {
    const { email, secret } = await enrolledAccount();
    const mfaToken = (await passwordStep(email)).body.data.mfaToken;
    const wrong = (await totp(secret, 30)) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      expectError(await post('/auth/mfa/challenge', { mfaToken, code: wrong }), 401, 'MFA_CODE_INVALID');
    }

    const right = await post('/auth/mfa/challenge', { mfaToken, code: await totp(secret, 30) });

    expectError(right, 429, 'MFA_TOO_MANY_ATTEMPTS');
    expect(right.headers['retry-after']).toBeDefined();
  });

  test('when the challenge input is bad, then 400 in the envelope', async () => {
    const { email, secret } = await enrolledAccount();
    const mfaToken = (await passwordStep(email)).body.data.mfaToken;

    expectError(await post('/auth/mfa/challenge', { mfaToken }), 400, 'VALIDATION_ERROR');
    expectError(await post('/auth/mfa/challenge', { mfaToken, code: '12ab56' }), 400, 'VALIDATION_ERROR');
    expectError(
      await post('/auth/mfa/challenge', { mfaToken, code: await totp(secret, 30), extra: 1 }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await post('/auth/mfa/challenge', { mfaToken: 'mfa_not-a-real-token', code: '123456' }),
      401,
      'MFA_TOKEN_INVALID',
    );
  });

  test('when cookie mode is used, then the password step sets no cookie and the code step sets the refresh cookie', async () => {
    const { email, secret } = await enrolledAccount();

    const first = await passwordStep(email, STRONG_PASSWORD, { cookie: true });
    expect(first.body.data.mfaRequired).toBe(true);
    expect(first.headers['set-cookie']).toBeUndefined();
    const second = await post('/auth/mfa/challenge', {
      mfaToken: first.body.data.mfaToken,
      code: await totp(secret, 30),
      cookie: true,
    });

    expect(second.status).toBe(200);
    expect(second.body.data.refreshToken).toBeUndefined();
    const cookies = second.headers['set-cookie'] as unknown as string[];
    expect(cookies.some((c) => c.startsWith('refresh_token=rt_') && /HttpOnly/i.test(c))).toBe(true);
  });

  test('when disabling, then the password and a code are both needed, and sign-in is one step again', async () => {
    const { email, secret, accessToken } = await enrolledAccount();

    expectError(
      await post(
        '/auth/mfa/totp/disable',
        { password: 'Wrong-Password-0000', code: await totp(secret, 30) },
        accessToken,
      ),
      422,
      'WRONG_PASSWORD',
    );
    expectError(
      await post('/auth/mfa/totp/disable', { password: STRONG_PASSWORD, code: '000001' }, accessToken),
      401,
      'MFA_CODE_INVALID',
    );
    const res = await post(
      '/auth/mfa/totp/disable',
      { password: STRONG_PASSWORD, code: await totp(secret, 30) },
      accessToken,
    );

    expect(res.status).toBe(204);
    expect((await passwordStep(email)).body.data).toHaveProperty('accessToken');
  });

  describe('a workspace that requires MFA', () => {
    const members = (account: Account, workspaceId: string) =>
      request(server.url).get(`${API}/workspaces/${workspaceId}/members`).set(bearer(account.accessToken));

    test('when requireMfa is on, then members without MFA get 403 MFA_REQUIRED, also when switching in or connecting a socket, until they enrol', async () => {
      const admin = await verifiedAccount(server);
      const name = `Strict ${Date.now()}`;
      const ws = await createWorkspace(server, admin, name);
      await switchTo(server, admin, ws.id);
      const member = await verifiedAccount(server);
      await inviteAndJoin(server, receiver, admin, { id: ws.id, name }, member, 'member');
      expect((await members(member, ws.id)).status).toBe(200);

      // The admin secures their own account first, then turns the setting on.
      const adminSecret = (await post('/auth/mfa/totp', {}, admin.accessToken)).body.data.secret;
      expect((await post('/auth/mfa/totp/verify', { code: await totp(adminSecret) }, admin.accessToken)).status).toBe(
        200,
      );
      const updated = await request(server.url)
        .put(`${API}/workspaces/${ws.id}`)
        .set(bearer(admin.accessToken))
        .send({ settings: { requireMfa: true } });
      expect(updated.status).toBe(200);

      expectError(await members(member, ws.id), 403, 'MFA_REQUIRED');
      expectError(await post(`/workspaces/${ws.id}/switch`, {}, member.accessToken), 403, 'MFA_REQUIRED');
      expect((await members(admin, ws.id)).status).toBe(200);
      expect(await openWorkspace(server, ws.id, member.accessToken).outcome).toEqual({
        connected: false,
        code: 'MFA_REQUIRED',
      });

      const secret = (await post('/auth/mfa/totp', {}, member.accessToken)).body.data.secret;
      expect((await post('/auth/mfa/totp/verify', { code: await totp(secret) }, member.accessToken)).status).toBe(200);
      expect((await members(member, ws.id)).status).toBe(200);
      await connectWorkspace(server, ws.id, member.accessToken);
      expect((await post(`/workspaces/${ws.id}/switch`, {}, member.accessToken)).status).toBe(200);
    });

    test('when requireMfa is not a boolean, then 400', async () => {
      const admin = await verifiedAccount(server);
      const ws = await createWorkspace(server, admin, `Loose ${Date.now()}`);
      await switchTo(server, admin, ws.id);

      const res = await request(server.url)
        .put(`${API}/workspaces/${ws.id}`)
        .set(bearer(admin.accessToken))
        .send({ settings: { requireMfa: 'yes' } });

      expectError(res, 400, 'VALIDATION_ERROR');
    });
  });

  test('when the access token of the MFA session is decoded, then it is a normal session token', async () => {
    const { email, secret } = await enrolledAccount();
    const mfaToken = (await passwordStep(email)).body.data.mfaToken;
    const { accessToken } = (await post('/auth/mfa/challenge', { mfaToken, code: await totp(secret, 30) })).body.data;
    expect(decodeJwtPart(accessToken, 1)).toEqual(expect.objectContaining({ sid: expect.any(String) }));
    expect(mfaToken.split('.')).toHaveLength(1); // opaque, not a JWT usable as a bearer token
    expectError(await me(server.url, mfaToken), 401, 'TOKEN_INVALID');
  });
});
