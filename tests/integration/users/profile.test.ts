import request from 'supertest';
import {
  API,
  expectError,
  login,
  mailsTo,
  me,
  OTHER_STRONG_PASSWORD,
  refresh,
  register,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../support/auth-helpers';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../../support/smtp-receiver';
import { backgroundWorkDone, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount } from '../../support/workspace-helpers';
import { adminWithWorkspace, as, ids, ISO, joined, loginRaw, USER_VIEW_KEYS, UUID } from './helpers';

const CONFIRM_SUBJECT = 'Confirm your new email address';
const EMAIL_CHANGED_SUBJECT = 'Your email address was changed';

describe('my profile: GET, PUT and DELETE /users/me', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const confirm = (token: string) => request(server.url).post(`${API}/auth/confirm-email`).send({ token });

  test('when a signed-in user reads /users/me, then 200 with the full User view and nothing else', async () => {
    const account = await verifiedAccount(server);

    const res = await me(server.url, account.accessToken);

    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    expect(Object.keys(res.body.data).sort()).toEqual(USER_VIEW_KEYS);
    expect(res.body.data).toEqual({
      id: account.user.id,
      email: account.email,
      name: 'Ada Lovelace',
      avatarUrl: null,
      locale: null,
      timezone: null,
      status: 'active',
      emailVerified: true,
      lastLoginAt: expect.stringMatching(ISO),
      createdAt: expect.stringMatching(ISO),
    });
    expect(res.body.data.id).toMatch(UUID);
  });

  test('when /users/me is called without a token, then 401', async () => {
    const res = await request(server.url).get(`${API}/users/me`);
    expect(res.status).toBe(401);
  });

  test('when name, avatarUrl, locale and timezone are updated, then 200 with them applied and locale canonicalised', async () => {
    const account = await verifiedAccount(server);

    const res = await as(server, account).put('/users/me', {
      name: '  Grace Hopper  ',
      avatarUrl: 'https://cdn.example.com/grace.png',
      locale: 'en-gb',
      timezone: 'Europe/Paris',
    });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual([...USER_VIEW_KEYS, 'pendingEmail'].sort());
    expect(res.body.data).toEqual(
      expect.objectContaining({
        id: account.user.id,
        email: account.email,
        name: 'Grace Hopper',
        avatarUrl: 'https://cdn.example.com/grace.png',
        locale: 'en-GB',
        timezone: 'Europe/Paris',
        pendingEmail: null,
      }),
    );
    const after = await me(server.url, account.accessToken);
    expect(after.body.data).toEqual(
      expect.objectContaining({
        name: 'Grace Hopper',
        avatarUrl: 'https://cdn.example.com/grace.png',
        locale: 'en-GB',
        timezone: 'Europe/Paris',
      }),
    );

    const cleared = await as(server, account).put('/users/me', { avatarUrl: null, locale: null, timezone: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toEqual(
      expect.objectContaining({ name: 'Grace Hopper', avatarUrl: null, locale: null, timezone: null }),
    );
  });

  test.each([
    ['status', { status: 'active' }],
    ['roles', { roles: ['admin'] }],
    ['emailVerified', { emailVerified: true }],
    ['passwordHash', { passwordHash: '$2b$04$abcdefghijklmnopqrstuv' }],
    ['isAdmin', { isAdmin: true }],
    ['an unknown key beside a valid one', { name: 'Fine', nickname: 'x' }],
  ])('when PUT /users/me carries %s, then 400 VALIDATION_ERROR and nothing changes', async (_what, body) => {
    const account = await verifiedAccount(server);

    expectError(await as(server, account).put('/users/me', body), 400, 'VALIDATION_ERROR');

    const after = await me(server.url, account.accessToken);
    expect(after.body.data).toEqual(expect.objectContaining({ name: 'Ada Lovelace', status: 'active' }));
  });

  test.each([
    ['an empty body', {}],
    ['only currentPassword', { currentPassword: STRONG_PASSWORD }],
    ['an empty name', { name: '' }],
    ['a blank name', { name: '   ' }],
    ['a 101-character name', { name: 'x'.repeat(101) }],
    ['an http avatar URL', { avatarUrl: 'http://cdn.example.com/a.png' }],
    ['a javascript: avatar URL', { avatarUrl: 'javascript:alert(1)' }],
    ['a relative avatar path', { avatarUrl: '/api/v1/avatars/x.png' }],
    ['a malformed locale', { locale: 'not a locale!!' }],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }],
    ['a UTC offset instead of a zone', { timezone: 'Not/AZone' }],
  ])('when PUT /users/me sends %s, then 400 VALIDATION_ERROR', async (_what, body) => {
    const account = await verifiedAccount(server);
    expectError(await as(server, account).put('/users/me', body), 400, 'VALIDATION_ERROR');
    expect((await me(server.url, account.accessToken)).body.data).toEqual(
      expect.objectContaining({ name: 'Ada Lovelace', avatarUrl: null, locale: null, timezone: null }),
    );
  });

  test('when one field of an update is invalid, then no field is applied', async () => {
    const account = await verifiedAccount(server);
    const res = await as(server, account).put('/users/me', { name: 'Changed', timezone: 'Nowhere/Atlantis' });
    expectError(res, 400, 'VALIDATION_ERROR');
    expect((await me(server.url, account.accessToken)).body.data.name).toBe('Ada Lovelace');
  });

  test('when the email is changed and confirmed, then it applies only after the link, old address is told, token is single-use', async () => {
    const account = await verifiedAccount(server);
    const newEmail = uniqueEmail();

    const put = await as(server, account).put('/users/me', { email: newEmail, currentPassword: account.password });

    expect(put.status).toBe(200);
    expect(put.body.data).toEqual(expect.objectContaining({ email: account.email, pendingEmail: newEmail }));
    expect((await me(server.url, account.accessToken)).body.data.email).toBe(account.email);
    expectError(await loginRaw(server, newEmail, account.password), 401, 'INVALID_CREDENTIALS');

    const mail = await receiver.waitForMail(mailTo(newEmail, CONFIRM_SUBJECT));
    expect(mail.text).toContain('/confirm-email?token=');
    const token = tokenFrom(mail, 'confirm-email');

    expect((await confirm(token)).status).toBe(204);

    expect((await me(server.url, account.accessToken)).body.data).toEqual(
      expect.objectContaining({ email: newEmail, emailVerified: true }),
    );
    expect((await loginRaw(server, newEmail, account.password)).status).toBe(200);
    expectError(await loginRaw(server, account.email, account.password), 401, 'INVALID_CREDENTIALS');
    const notice = await receiver.waitForMail(mailTo(account.email, EMAIL_CHANGED_SUBJECT));
    expect(notice.text).toContain(newEmail);

    expectError(await confirm(token), 400, 'EMAIL_CHANGE_TOKEN_USED');
    expectError(await confirm('ec_not_a_real_token_0000000000'), 400, 'EMAIL_CHANGE_TOKEN_INVALID');
  });

  test('when the email change is confirmed, then a reset link mailed to the old address no longer works', async () => {
    const account = await verifiedAccount(server);
    const newEmail = uniqueEmail();
    await request(server.url).post(`${API}/auth/forgot-password`).send({ email: account.email });
    const resetToken = tokenFrom(
      await receiver.waitForMail(mailTo(account.email, 'Reset your password')),
      'reset-password',
    );

    await as(server, account).put('/users/me', { email: newEmail, currentPassword: account.password });
    expect(
      (await confirm(tokenFrom(await receiver.waitForMail(mailTo(newEmail, CONFIRM_SUBJECT)), 'confirm-email'))).status,
    ).toBe(204);

    const reset = await request(server.url)
      .post(`${API}/auth/reset-password`)
      .send({ token: resetToken, password: 'an entirely new passphrase' });
    expectError(reset, 400, 'RESET_TOKEN_USED');
  });

  test('when the email change lacks or gets a wrong currentPassword, then 400 and 422 WRONG_PASSWORD, and no mail is sent', async () => {
    const account = await verifiedAccount(server);
    const newEmail = uniqueEmail();

    expectError(await as(server, account).put('/users/me', { email: newEmail }), 400, 'VALIDATION_ERROR');
    expectError(
      await as(server, account).put('/users/me', { email: newEmail, currentPassword: 'Wrong-Password-9876' }),
      422,
      'WRONG_PASSWORD',
    );

    await backgroundWorkDone(server);
    expect(mailsTo(receiver, newEmail)).toEqual([]);
    expect((await me(server.url, account.accessToken)).body.data.email).toBe(account.email);
  });

  test('when the new email belongs to another live account, then 409 EMAIL_TAKEN at PUT time', async () => {
    const account = await verifiedAccount(server);
    const other = await verifiedAccount(server);

    const res = await as(server, account).put('/users/me', {
      email: other.email.toUpperCase(),
      currentPassword: account.password,
    });

    expectError(res, 409, 'EMAIL_TAKEN');
    await backgroundWorkDone(server);
    expect(mailsTo(receiver, other.email).filter((m) => m.subject === CONFIRM_SUBJECT)).toEqual([]);
  });

  test('when the new address is taken between request and confirmation, then 409 EMAIL_TAKEN and nothing changes', async () => {
    const account = await verifiedAccount(server);
    const newEmail = uniqueEmail();
    await as(server, account).put('/users/me', { email: newEmail, currentPassword: account.password });
    const token = tokenFrom(await receiver.waitForMail(mailTo(newEmail, CONFIRM_SUBJECT)), 'confirm-email');
    await register(server.url, { email: newEmail });

    expectError(await confirm(token), 409, 'EMAIL_TAKEN');
    expect((await me(server.url, account.accessToken)).body.data.email).toBe(account.email);
  });

  test('when the password is changed, then this session lives on, every other session dies, and only the new password signs in', async () => {
    const account = await verifiedAccount(server);
    const other = await login(server.url, account.email, account.password);
    // Warm the other session's cache entry, so its death must come from the revocation.
    expect((await me(server.url, other.accessToken)).status).toBe(200);

    const res = await as(server, account).put('/users/me', {
      currentPassword: account.password,
      newPassword: OTHER_STRONG_PASSWORD,
    });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(expect.objectContaining({ id: account.user.id, pendingEmail: null }));
    expect((await me(server.url, account.accessToken)).status).toBe(200);
    const rotated = await refresh(server.url, account.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await me(server.url, rotated.body.data.accessToken)).status).toBe(200);

    expectError(await me(server.url, other.accessToken), 401, 'TOKEN_INVALID');
    const deadRefresh = await refresh(server.url, other.refreshToken!);
    expect(deadRefresh.status).toBe(401);

    expectError(await loginRaw(server, account.email, account.password), 401, 'INVALID_CREDENTIALS');
    expect((await loginRaw(server, account.email, OTHER_STRONG_PASSWORD)).status).toBe(200);
  });

  test('when the new password is weak or the current one is wrong or missing, then 400/422 and the old password still works', async () => {
    const account = await verifiedAccount(server);
    const put = (body: object) => as(server, account).put('/users/me', body);

    expectError(await put({ currentPassword: account.password, newPassword: 'short' }), 400, 'WEAK_PASSWORD');
    expectError(await put({ currentPassword: account.password, newPassword: 'password123' }), 400, 'WEAK_PASSWORD');
    expectError(await put({ currentPassword: account.password, newPassword: account.email }), 400, 'WEAK_PASSWORD');
    expectError(await put({ newPassword: OTHER_STRONG_PASSWORD }), 400, 'VALIDATION_ERROR');
    expectError(
      await put({ currentPassword: 'Wrong-Password-9876', newPassword: OTHER_STRONG_PASSWORD }),
      422,
      'WRONG_PASSWORD',
    );

    expect((await loginRaw(server, account.email, account.password)).status).toBe(200);
    expectError(await loginRaw(server, account.email, OTHER_STRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
  });

  test('when a user deletes their account with the wrong password, then 422 WRONG_PASSWORD and nothing is deleted', async () => {
    const account = await verifiedAccount(server);

    expectError(
      await as(server, account).delete('/users/me', { password: 'Wrong-Password-9876' }),
      422,
      'WRONG_PASSWORD',
    );
    expectError(await as(server, account).delete('/users/me', {}), 400, 'VALIDATION_ERROR');

    expect((await me(server.url, account.accessToken)).status).toBe(200);
    expect((await loginRaw(server, account.email, account.password)).status).toBe(200);
  });

  test('when a user deletes their account, then 204, the token dies, login fails, they leave workspace lists, and the email can register again', async () => {
    const { admin, ws } = await adminWithWorkspace(server, 'Self Delete Co');
    const leaver = await joined(server, receiver, admin, ws, 'member');
    expect(ids((await as(server, admin).get('/users')).body)).toContain(leaver.user.id);

    const res = await as(server, leaver).delete('/users/me', { password: leaver.password });

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await me(server.url, leaver.accessToken)).status).toBe(401);
    expect((await refresh(server.url, leaver.refreshToken)).status).toBe(401);
    expectError(await loginRaw(server, leaver.email, leaver.password), 401, 'INVALID_CREDENTIALS');
    const users = await as(server, admin).get('/users');
    expect(ids(users.body)).toEqual([admin.user.id]);
    expect(users.body.meta.total).toBe(1);
    const members = await as(server, admin).get(`/workspaces/${ws.id}/members`);
    expect(members.body.data.map((m: { userId: string }) => m.userId)).toEqual([admin.user.id]);
    expectError(await as(server, admin).get(`/users/${leaver.user.id}`), 404, 'USER_NOT_FOUND');

    const again = await register(server.url, { email: leaver.email });
    expect(again.user.id).not.toBe(leaver.user.id);
    const rows = await selectRows<{ action: string; actor_id: string }>(
      server,
      "SELECT action, actor_id FROM public.audit_events WHERE target_id = $1 AND action = 'user.deleted'",
      [leaver.user.id],
    );
    expect(rows).toEqual([{ action: 'user.deleted', actor_id: leaver.user.id }]);
  });
});
