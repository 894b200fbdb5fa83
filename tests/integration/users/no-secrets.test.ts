import request, { type Response } from 'supertest';
import { API, bearer, login, OTHER_STRONG_PASSWORD, uniqueEmail } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount } from '../../support/workspace-helpers';
import { adminWithWorkspace, as, joined, makePlatformAdmin, PNG } from './helpers';

describe('no user route ever answers with a secret', () => {
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

  test('when every route returning users is called, then no hash, password, token word or token string appears', async () => {
    // Promoted before its first permission check: effective permissions are cached.
    const root = await verifiedAccount(server);
    await makePlatformAdmin(server, root);
    const { admin, ws } = await adminWithWorkspace(server, 'Secretless');
    const member = await joined(server, receiver, admin, ws, 'member');
    const secondSession = await login(server.url, member.email, member.password);
    const secrets = [
      admin.accessToken,
      admin.refreshToken,
      root.accessToken,
      root.refreshToken,
      member.accessToken,
      member.refreshToken,
      secondSession.accessToken,
      secondSession.refreshToken!,
      admin.password,
      root.password,
      member.password,
      OTHER_STRONG_PASSWORD,
    ];
    const calls: [string, Response][] = [];
    const call = async (label: string, pending: PromiseLike<Response>, status = 200) => {
      const res = await pending;
      expect({ label, status: res.status }).toEqual({ label, status });
      calls.push([label, res]);
      return res;
    };
    const m = as(server, member);
    const a = as(server, root);

    await call('GET /users/me', m.get('/users/me'));
    await call(
      'PUT /users/me profile',
      m.put('/users/me', { name: 'Mia Member', timezone: 'Europe/Paris', locale: 'fr-fr' }),
    );
    await call('PUT /users/me email', m.put('/users/me', { email: uniqueEmail(), currentPassword: member.password }));
    await call(
      'PUT /users/me password',
      m.put('/users/me', { currentPassword: member.password, newPassword: OTHER_STRONG_PASSWORD }),
    );
    await call('GET /users', m.get('/users'));
    await call('GET /users?scope=platform', a.get('/users?scope=platform&sort=created_at&order=desc&limit=100'));
    await call('GET /users/search', m.get('/users/search?q=a'));
    await call(
      'GET /users/search?scope=platform',
      a.get(`/users/search?scope=platform&q=${encodeURIComponent(member.email)}`),
    );
    await call('GET /users/:id', m.get(`/users/${admin.user.id}`));
    await call('GET /users (admin)', as(server, admin).get('/users'));
    await call('GET /users/:id?scope=platform', a.get(`/users/${member.user.id}?scope=platform`));
    await call('PATCH /users/:id/status', a.patch(`/users/${member.user.id}/status`, { status: 'active' }));
    await call(
      'POST /users/me/avatar',
      request(server.url).post(`${API}/users/me/avatar`).set(bearer(member.accessToken)).attach('file', PNG, 'x.png'),
    );
    await call('DELETE /users/me/avatar', m.delete('/users/me/avatar'));
    const loner = await verifiedAccount(server);
    await call('DELETE /users/:id', a.delete(`/users/${loner.user.id}`), 204);

    const platform = calls.find(([label]) => label === 'GET /users?scope=platform')![1];
    expect(platform.body.data.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([member.user.id]));
    for (const [label, res] of calls) {
      const text = res.text;
      expect({ label, hash: /\$2[aby]\$/.test(text) }).toEqual({ label, hash: false });
      for (const word of ['password', 'passwordhash', 'password_hash', 'token', 'hash']) {
        expect({ label, word, found: text.toLowerCase().includes(word) }).toEqual({ label, word, found: false });
      }
      for (const secret of secrets) {
        expect({ label, leaked: text.includes(secret) }).toEqual({ label, leaked: false });
      }
    }
  });
});
