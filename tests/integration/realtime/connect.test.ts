import { TOKENS } from '../../../src/core/bootstrap/tokens';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { API, base64url, bearer, decodeJwtPart } from '../../support/auth-helpers';
import { FakeClock } from '../../support/fake-clock';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';
import { closeAllClients, connectWorkspace, openPath, openWorkspace } from './helpers';

describe('realtime handshake', () => {
  const clock = new FakeClock();
  let receiver: SmtpReceiver;
  let server: TestServer;
  let admin: Account;
  let workspace: { id: string; slug: string };
  /** A member of another workspace only. */
  let outsider: Account;
  let otherWorkspace: { id: string; slug: string };

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env(), { configure: clock.install() });
    admin = await verifiedAccount(server);
    workspace = await createWorkspace(server, admin, 'Handshake Co');
    await switchTo(server, admin, workspace.id);
    outsider = await verifiedAccount(server);
    otherWorkspace = await createWorkspace(server, outsider, 'Elsewhere Co');
    await switchTo(server, outsider, otherWorkspace.id);
  });
  afterEach(() => {
    closeAllClients();
    clock.reset();
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  test('when a member connects with its access token, then the workspace namespace accepts the socket', async () => {
    const client = openWorkspace(server, workspace.id, admin.accessToken);

    expect(await client.outcome).toEqual({ connected: true });
    expect(client.socket.connected).toBe(true);
  });

  /** A copy of the admin's access token claiming to be someone else (the signature no longer matches). */
  const forged = () => {
    const [header, payload, signature] = admin.accessToken.split('.');
    const claims = { ...decodeJwtPart(admin.accessToken, 1), sub: outsider.user.id };
    expect(base64url(claims)).not.toBe(payload);
    return `${header}.${base64url(claims)}.${signature}`;
  };

  test.each<[string, () => Record<string, unknown> | undefined]>([
    ['no auth at all', () => undefined],
    ['an auth object without a token', () => ({})],
    ['an empty token', () => ({ token: '' })],
    ['a token that is not a string', () => ({ token: 42 })],
    ['a garbage token', () => ({ token: 'nope' })],
    ['an oversized token', () => ({ token: 'x'.repeat(5000) })],
    ['a refresh token', () => ({ token: admin.refreshToken })],
    ['an access token with a forged payload', () => ({ token: forged() })],
  ])('when the handshake carries %s, then connect_error UNAUTHORIZED', async (_case, auth) => {
    const handshake = auth();

    const client = openPath(server, `/workspaces/${workspace.id}`, handshake);

    expect(await client.outcome).toEqual({ connected: false, code: 'UNAUTHORIZED' });
    expect(client.socket.connected).toBe(false);
  });

  test('when the access token has expired by the clock, then UNAUTHORIZED; the same token worked just before', async () => {
    const account = await verifiedAccount(server);
    const own = await createWorkspace(server, account, 'Expiring Co');
    await switchTo(server, account, own.id);
    expect(await openWorkspace(server, own.id, account.accessToken).outcome).toEqual({ connected: true });

    clock.advance(901);

    expect(await openWorkspace(server, own.id, account.accessToken).outcome).toEqual({
      connected: false,
      code: 'UNAUTHORIZED',
    });
  });

  test('when a socket connects shortly before its token expires, then the server disconnects it at expiry', async () => {
    const account = await verifiedAccount(server);
    const own = await createWorkspace(server, account, 'Ticking Co');
    await switchTo(server, account, own.id);
    const expiresAt = decodeJwtPart(account.accessToken, 1).exp as number;
    // One to two seconds of validity left, by the server's clock.
    clock.advance(expiresAt - Math.floor(Date.now() / 1000) - 2);

    const client = await connectWorkspace(server, own.id, account.accessToken);

    expect(client.socket.connected).toBe(true);
    expect(await client.waitForDisconnect(3_000)).toBe('io server disconnect');
  });

  test('when the session was logged out, then its token is refused with UNAUTHORIZED', async () => {
    const account = await verifiedAccount(server);
    const own = await createWorkspace(server, account, 'Logged Out Co');
    await switchTo(server, account, own.id);
    const logout = await request(server.url).post(`${API}/auth/logout`).set(bearer(account.accessToken)).send({});
    expect(logout.status).toBe(204);

    expect(await openWorkspace(server, own.id, account.accessToken).outcome).toEqual({
      connected: false,
      code: 'UNAUTHORIZED',
    });
  });

  test('when a member of another workspace connects, then FORBIDDEN, and the refusal is audited', async () => {
    const client = openWorkspace(server, workspace.id, outsider.accessToken);

    expect(await client.outcome).toEqual({ connected: false, code: 'FORBIDDEN' });
    const rows = await selectRows<{ actor_id: string; target_type: string }>(
      server,
      "SELECT actor_id, target_type FROM public.audit_events WHERE action = 'realtime.connect.denied' AND target_id = $1",
      [workspace.id],
    );
    expect(rows).toEqual([{ actor_id: outsider.user.id, target_type: 'workspace' }]);
  });

  test('when an event was emitted to a workspace nobody listened to, then its namespace still refuses strangers', async () => {
    // Renaming emits workspace:updated while no socket is connected: the namespace is created for the emit.
    const rename = (name: string) =>
      request(server.url).put(`${API}/workspaces/${workspace.id}`).set(bearer(admin.accessToken)).send({ name });
    const original = (await request(server.url).get(`${API}/workspaces/${workspace.id}`).set(bearer(admin.accessToken)))
      .body.data.name as string;
    expect((await rename(`Renamed ${randomUUID().slice(0, 8)}`)).status).toBe(200);
    expect((await rename(original)).status).toBe(200);

    const stranger = openWorkspace(server, workspace.id, outsider.accessToken);
    const anonymous = openWorkspace(server, workspace.id, undefined);

    expect(await stranger.outcome).toEqual({ connected: false, code: 'FORBIDDEN' });
    expect(await anonymous.outcome).toEqual({ connected: false, code: 'UNAUTHORIZED' });
  });

  test('when many handshakes to random workspaces are refused, then no namespace is left behind', async () => {
    const namespaces = () => server.container.get(TOKENS.sockets).io._nsps.size;
    const before = namespaces();
    const refused = Array.from({ length: 20 }, () => openWorkspace(server, randomUUID(), undefined));

    expect(new Set((await Promise.all(refused.map((c) => c.outcome))).map((o) => JSON.stringify(o)))).toEqual(
      new Set([JSON.stringify({ connected: false, code: 'UNAUTHORIZED' })]),
    );
    expect(namespaces()).toBe(before);
  });

  test('when the namespace names a workspace that does not exist, then FORBIDDEN', async () => {
    const client = openWorkspace(server, randomUUID(), admin.accessToken);

    expect(await client.outcome).toEqual({ connected: false, code: 'FORBIDDEN' });
  });

  test('when a valid token connects to the default namespace, then NAMESPACE_REQUIRED', async () => {
    const client = openPath(server, '/', { token: admin.accessToken });

    expect(await client.outcome).toEqual({ connected: false, code: 'NAMESPACE_REQUIRED' });
  });

  test('when the namespace is not a workspace id, then the server knows no such namespace', async () => {
    const client = openPath(server, '/workspaces/not-a-uuid', { token: admin.accessToken });

    expect(await client.outcome).toEqual({ connected: false, code: 'message:Invalid namespace' });
  });

  test("when a member's active workspace is another one, then they may still connect to each workspace they belong to", async () => {
    const member = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, { id: workspace.id, name: 'Handshake Co' }, member, 'viewer');
    const home = await createWorkspace(server, member, 'Home Co');
    await switchTo(server, member, home.id);
    expect(decodeJwtPart(member.accessToken, 1).wid).toBe(home.id);

    const [inJoined, inHome] = [
      openWorkspace(server, workspace.id, member.accessToken),
      openWorkspace(server, home.id, member.accessToken),
    ];

    expect(await inJoined.outcome).toEqual({ connected: true });
    expect(await inHome.outcome).toEqual({ connected: true });
  });
});
