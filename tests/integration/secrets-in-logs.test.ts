import { createHash } from 'node:crypto';
import request from 'supertest';
import { createLogger } from '../../src/core/logger';
import {
  API,
  bearer,
  login,
  OTHER_STRONG_PASSWORD,
  register,
  RESET_SUBJECT,
  verificationToken,
} from '../support/auth-helpers';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../support/smtp-receiver';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The logs of a full run of the auth, profile, workspace and invitation flows, at trace level,
 * hold no password, token, token hash, password hash, emailed secret or Authorization header.
 */
describe('secrets never reach the logs', () => {
  const lines: string[] = [];
  const secrets = new Set<string>();
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    const logger = createLogger(
      { env: 'test', log: { level: 'trace' } },
      { write: (line: string) => void lines.push(line) },
    );
    server = await startTestServer(receiver.env(), { logger });
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const keep = (...values: (string | undefined)[]) => values.forEach((v) => v && secrets.add(v));
  const api = () => request(server.url);

  test('when every credential-bearing flow runs, then no secret appears in any log line', async () => {
    // Register, verify, sign in, refresh, a failed sign-in.
    const owner = await register(server.url);
    keep(owner.password);
    const verify = await verificationToken(receiver, owner.email);
    keep(verify, sha256(verify));
    expect((await api().post(`${API}/auth/verify-email`).send({ token: verify })).status).toBe(204);
    let tokens = await login(server.url, owner.email, owner.password);
    keep(tokens.accessToken, tokens.refreshToken, sha256(tokens.refreshToken ?? ''));
    const refreshed = await api().post(`${API}/auth/refresh-token`).send({ refreshToken: tokens.refreshToken });
    tokens = refreshed.body.data;
    keep(tokens.accessToken, tokens.refreshToken);
    expect(
      (await api().post(`${API}/auth/login`).send({ email: owner.email, password: 'Wrong-Horse-Battery-0000' })).status,
    ).toBe(401);
    keep('Wrong-Horse-Battery-0000');
    // A forged token and a garbage Authorization header are refused, and not logged either.
    const forged = `${tokens.accessToken.slice(0, -4)}AAAA`;
    keep(forged);
    expect((await api().get(`${API}/users/me`).set(bearer(forged))).status).toBe(401);

    // Workspace, invitation, acceptance.
    const created = await api().post(`${API}/workspaces`).set(bearer(tokens.accessToken)).send({ name: 'Secretive' });
    const workspaceId = created.body.data.id as string;
    const switched = await api().post(`${API}/workspaces/${workspaceId}/switch`).set(bearer(tokens.accessToken));
    tokens = switched.body.data;
    keep(tokens.accessToken, tokens.refreshToken);
    const guest = await register(server.url);
    keep(guest.password);
    const guestVerify = await verificationToken(receiver, guest.email);
    keep(guestVerify);
    await api().post(`${API}/auth/verify-email`).send({ token: guestVerify });
    const guestTokens = await login(server.url, guest.email, guest.password);
    keep(guestTokens.accessToken, guestTokens.refreshToken);
    await api()
      .post(`${API}/workspaces/${workspaceId}/members/invite`)
      .set(bearer(tokens.accessToken))
      .send({ email: guest.email, role: 'member' });
    const invitation = tokenFrom(
      await receiver.waitForMail(mailTo(guest.email, 'Join Secretive')),
      'accept-invitation',
    );
    keep(invitation, sha256(invitation));
    expect(
      (
        await api()
          .post(`${API}/workspaces/${workspaceId}/members/accept`)
          .set(bearer(guestTokens.accessToken))
          .send({ token: invitation })
      ).status,
    ).toBe(204);

    // Password reset, password change, email change.
    await api().post(`${API}/auth/forgot-password`).send({ email: guest.email });
    const reset = tokenFrom(await receiver.waitForMail(mailTo(guest.email, RESET_SUBJECT)), 'reset-password');
    keep(reset, sha256(reset));
    expect(
      (await api().post(`${API}/auth/reset-password`).send({ token: reset, password: OTHER_STRONG_PASSWORD })).status,
    ).toBe(204);
    keep(OTHER_STRONG_PASSWORD);
    const changed = await api()
      .put(`${API}/users/me`)
      .set(bearer(tokens.accessToken))
      .send({ currentPassword: owner.password, newPassword: 'Brand-New-Lantern-5521' });
    expect(changed.status).toBe(200);
    keep('Brand-New-Lantern-5521');
    const newEmail = `moved-${owner.email}`;
    await api()
      .put(`${API}/users/me`)
      .set(bearer(tokens.accessToken))
      .send({ email: newEmail, currentPassword: 'Brand-New-Lantern-5521' });
    const confirm = tokenFrom(
      await receiver.waitForMail(mailTo(newEmail, 'Confirm your new email address')),
      'confirm-email',
    );
    keep(confirm, sha256(confirm));
    expect((await api().post(`${API}/auth/confirm-email`).send({ token: confirm })).status).toBe(204);
    expect((await api().post(`${API}/auth/logout`).set(bearer(tokens.accessToken)).send({})).status).toBe(204);

    // Every stored password hash, too.
    for (const row of await selectRows<{ password_hash: string }>(
      server,
      'SELECT password_hash FROM public.users WHERE email IN ($1, $2)',
      [newEmail, guest.email],
    )) {
      keep(row.password_hash);
    }

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20); // the capture works: one line per request at least
    expect(log).toContain('request completed');
    const leaked = [...secrets].filter((secret) => secret.length >= 8 && log.includes(secret));
    expect(leaked).toEqual([]);
    expect(log).not.toMatch(/\$2[aby]\$\d\d\$/); // no bcrypt hash at all
    expect(log).not.toMatch(/Bearer\s+ey/); // no Authorization header value
  }, 60_000);
});
