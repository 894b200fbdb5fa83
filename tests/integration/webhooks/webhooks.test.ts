import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_RETENTION } from '../../../src/modules/webhook/application/tokens';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../../support/webhook-receiver';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

const ALL_TYPES = [
  'workspace:member:joined',
  'workspace:member:removed',
  'workspace:role:updated',
  'workspace:updated',
  'workspace:deleted',
  'workspace:invitation:sent',
  'workspace:invitation:accepted',
];

const typeOf = (hook: ReceivedWebhook) => (JSON.parse(hook.body) as { type: string }).type;

/** Verifies with the standardwebhooks package (an implementation independent of ours). */
function verify(
  secret: string,
  hook: ReceivedWebhook,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(hook.body, hook.headers) as never;
}

interface WebhookSetup {
  smtp: SmtpReceiver;
  receiver: WebhookReceiver;
  server: TestServer;
  close(): Promise<void>;
}

/**
 * A server that delivers webhooks to a local receiver (private addresses allowed, retries from
 * 1 s, closed after `retryWindowS`) and mail to a local SMTP receiver.
 */
async function startWebhookSetup(retryWindowS: number): Promise<WebhookSetup> {
  const smtp = await startSmtpReceiver();
  const receiver = await startWebhookReceiver();
  const server = await startTestServer({
    ...smtp.env(),
    WEBHOOKS_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_S: '1',
    WEBHOOK_RETRY_WINDOW_S: String(retryWindowS),
    JOBS_POLL_INTERVAL_S: '1',
  });
  return {
    smtp,
    receiver,
    server,
    close: async () => {
      await server.stop();
      await receiver.close();
      await smtp.close();
    },
  };
}

describe('webhooks', () => {
  let setup: WebhookSetup;
  let smtp: SmtpReceiver;
  let receiver: WebhookReceiver;
  let server: TestServer;

  beforeAll(async () => {
    setup = await startWebhookSetup(60);
    ({ smtp, receiver, server } = setup);
  });
  afterAll(() => setup.close());

  async function team(name: string) {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, name);
    await switchTo(server, admin, ws.id);
    const as = (who: Account) => ({
      get: (path: string) => request(server.url).get(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)),
      post: (path: string, body: object = {}) =>
        request(server.url).post(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)).send(body),
      put: (path: string, body: object) =>
        request(server.url).put(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)).send(body),
      delete: (path: string) =>
        request(server.url).delete(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)),
    });
    return { admin, ws: { id: ws.id, name }, as };
  }

  /** Waits until the delivery log of the endpoint satisfies the predicate. */
  async function deliveriesUntil(
    api: ReturnType<Awaited<ReturnType<typeof team>>['as']>,
    webhookId: string,
    predicate: (items: { status: string; attempts: number; attemptLog: { statusCode: number | null }[] }[]) => boolean,
    timeoutMs = 20_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await api.get(`/webhooks/${webhookId}/deliveries?limit=100`);
      expect(res.status).toBe(200);
      if (predicate(res.body.data)) return res.body.data;
      if (Date.now() > deadline) throw new Error(`delivery log never matched: ${JSON.stringify(res.body.data)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('when an admin manages endpoints, then the secret is shown once, stored sealed, and input is strict', async () => {
    const { admin, ws, as } = await team('Hooks CRUD');
    const created = await as(admin).post('/webhooks', {
      url: receiver.url('/crud'),
      eventTypes: ['workspace:updated'],
      description: 'CRM sync',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      url: receiver.url('/crud'),
      eventTypes: ['workspace:updated'],
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
    });
    const { id, secret } = created.body.data as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const got = await as(admin).get(`/webhooks/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.data.secret).toBeUndefined();
    expect(JSON.stringify((await as(admin).get('/webhooks')).body)).not.toContain(secret);
    const [{ schema_name: schema }] = (await selectRows<{ schema_name: string }>(
      server,
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [ws.id],
    )) as [{ schema_name: string }];
    const [row] = await selectRows<{ row: string }>(
      server,
      `SELECT row_to_json(w)::text AS row FROM "${schema}".webhook_endpoints w WHERE id = $1`,
      [id],
    );
    expect(row!.row).not.toContain(secret.slice('whsec_'.length));

    const updated = await as(admin).put(`/webhooks/${id}`, {
      eventTypes: ['workspace:updated', 'workspace:deleted'],
      enabled: false,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ enabled: false, eventTypes: ['workspace:updated', 'workspace:deleted'] });

    expectError(
      await as(admin).post('/webhooks', { url: receiver.url(), eventTypes: ['workspace:updated'], extra: 1 }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await as(admin).post('/webhooks', { url: receiver.url(), eventTypes: ['nope'] }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await as(admin).post('/webhooks', { url: receiver.url(), eventTypes: [] }), 400, 'VALIDATION_ERROR');
    expectError(
      await as(admin).post('/webhooks', { url: 'ftp://example.com/x', eventTypes: ['workspace:updated'] }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await as(admin).put(`/webhooks/${id}`, { secret: 'x' }), 400, 'VALIDATION_ERROR');
    expectError(await as(admin).get('/webhooks/00000000-0000-4000-8000-000000000000'), 404, 'WEBHOOK_NOT_FOUND');

    const audit = await as(admin).get('/audit-events?limit=100');
    const actions = (audit.body.data as { action: string; metadata: object }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['webhook.created', 'webhook.updated']));
    expect(JSON.stringify(audit.body)).not.toContain(secret);

    expect((await as(admin).delete(`/webhooks/${id}`)).status).toBe(204);
    expectError(await as(admin).delete(`/webhooks/${id}`), 404, 'WEBHOOK_NOT_FOUND');
  });

  test('when a member without webhooks.manage calls the routes, then each answers 403', async () => {
    const { admin, ws, as } = await team('Hooks RBAC');
    const member = await verifiedAccount(server);
    await inviteAndJoin(server, smtp, admin, ws, member, 'member');
    const created = await as(admin).post('/webhooks', { url: receiver.url(), eventTypes: ['workspace:updated'] });
    const id = created.body.data.id as string;
    expect((await as(member).get('/webhooks')).status).toBe(403);
    expect(
      (await as(member).post('/webhooks', { url: receiver.url(), eventTypes: ['workspace:updated'] })).status,
    ).toBe(403);
    expect((await as(member).put(`/webhooks/${id}`, { enabled: false })).status).toBe(403);
    expect((await as(member).delete(`/webhooks/${id}`)).status).toBe(403);
    expect((await as(member).get(`/webhooks/${id}/deliveries`)).status).toBe(403);
    expect((await as(member).post(`/webhooks/${id}/rotate-secret`)).status).toBe(403);
  });

  test('when every event type happens, then each arrives signed (verified by the standardwebhooks package) with its documented payload', async () => {
    const { admin, ws, as } = await team('Hooks Events');
    const path = `/events-${ws.id}`;
    const created = await as(admin).post('/webhooks', { url: receiver.url(path), eventTypes: ALL_TYPES });
    expect(created.status).toBe(201);
    const secret = created.body.data.secret as string;

    const member = await verifiedAccount(server);
    await inviteAndJoin(server, smtp, admin, ws, member, 'member'); // invitation sent, accepted, member joined
    expect((await as(admin).put('', { name: 'Hooks Events 2' })).status).toBe(200); // workspace updated
    const role = await as(admin).post('/roles', { name: 'auditor', description: '', permissions: ['audit.read'] });
    expect(role.status).toBe(201); // role updated (created)
    expect((await as(admin).delete(`/members/${member.user.id}`)).status).toBe(204); // member removed
    expect((await as(admin).delete('')).status).toBe(204); // workspace deleted

    const mine = () => receiver.received.filter((h) => h.path === path);
    await receiver.waitFor(() => new Set(mine().map(typeOf)).size === ALL_TYPES.length, 20_000);
    const byType = new Map(mine().map((h) => [typeOf(h), h]));
    for (const type of ALL_TYPES) {
      const hook = byType.get(type)!;
      const event = verify(secret, hook);
      expect(event.type).toBe(type);
      expect(event.data.workspaceId).toBe(ws.id);
      expect(new Date(event.timestamp).getTime()).not.toBeNaN();
      expect(hook.headers['content-type']).toBe('application/json');
    }
    expect(verify(secret, byType.get('workspace:member:joined')!).data).toEqual({
      workspaceId: ws.id,
      userId: member.user.id,
    });
    expect(verify(secret, byType.get('workspace:invitation:sent')!).data).toEqual({
      workspaceId: ws.id,
      email: member.email,
      role: 'member',
    });
    expect(verify(secret, byType.get('workspace:invitation:accepted')!).data).toMatchObject({
      workspaceId: ws.id,
      userId: member.user.id,
      role: 'member',
    });
    expect(verify(secret, byType.get('workspace:role:updated')!).data).toMatchObject({
      workspaceId: ws.id,
      change: 'created',
    });
    // Tampered: another secret, or another body, is refused by the independent verifier.
    const hook = byType.get('workspace:updated')!;
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(hook.body, hook.headers),
    ).toThrow();
    expect(() => new Webhook(secret).verify(hook.body.replace('workspace', 'workspacf'), hook.headers)).toThrow();
  });

  test('when the receiver is down for a while, then the delivery is retried with backoff and arrives once it is back', async () => {
    const { admin, as } = await team('Hooks Outage');
    const created = await as(admin).post('/webhooks', {
      url: receiver.url('/outage'),
      eventTypes: ['workspace:updated'],
    });
    const { id, secret } = created.body.data as { id: string; secret: string };
    await receiver.down();
    try {
      expect((await as(admin).put('', { name: 'Outage 2' })).status).toBe(200);
      // Two failed attempts (connection refused) while it is down.
      await deliveriesUntil(as(admin), id, (items) => items[0]?.attempts === 2 && items[0].status === 'retrying');
    } finally {
      await receiver.up();
    }
    const [delivery] = await deliveriesUntil(as(admin), id, (items) => items[0]?.status === 'succeeded');
    const hooks = receiver.received.filter((h) => h.path === '/outage');
    expect(hooks).toHaveLength(1);
    expect(verify(secret, hooks[0]!).type).toBe('workspace:updated');
    expect(hooks[0]!.headers['webhook-id']).toBe((delivery as { id: string }).id);
    const log = (delivery as { attemptLog: { statusCode: number | null; error: string | null; durationMs: number }[] })
      .attemptLog;
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.slice(0, -1).every((a) => a.statusCode === null && a.error)).toBe(true);
    expect(log[log.length - 1]).toMatchObject({ statusCode: 204, error: null });
    expect(log.every((a) => Number.isInteger(a.durationMs))).toBe(true);
  });

  test('when the receiver redirects or answers a large body, then the redirect is a failure and 1 KiB at most is kept', async () => {
    const { admin, as } = await team('Hooks Answers');
    receiver.answer((hook) =>
      hook.path === '/redirect'
        ? { status: 302, headers: { location: 'http://169.254.169.254/' } }
        : hook.path === '/large'
          ? { status: 200, body: 'é'.repeat(5000) }
          : { status: 204 },
    );
    try {
      const redirect = (
        await as(admin).post('/webhooks', { url: receiver.url('/redirect'), eventTypes: ['workspace:updated'] })
      ).body.data.id as string;
      const large = (
        await as(admin).post('/webhooks', { url: receiver.url('/large'), eventTypes: ['workspace:updated'] })
      ).body.data.id as string;
      expect((await as(admin).put('', { name: 'Answers 2' })).status).toBe(200);
      const [r] = await deliveriesUntil(as(admin), redirect, (items) => (items[0]?.attempts ?? 0) >= 1);
      expect(r).toMatchObject({
        lastStatusCode: 302,
        lastError: expect.stringContaining('redirects are not followed'),
      });
      const [l] = await deliveriesUntil(as(admin), large, (items) => items[0]?.status === 'succeeded');
      const body = (l as { attemptLog: { responseBody: string }[] }).attemptLog[0]!.responseBody;
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(body)).toBeGreaterThan(1000);
      expect(receiver.received.filter((h) => h.path === '/').length).toBe(0);
    } finally {
      receiver.answer(() => ({ status: 204 }));
    }
  });

  test('when the secret is rotated, then deliveries carry both signatures during the overlap and only the new one without it', async () => {
    const { admin, as } = await team('Hooks Rotation');
    const created = await as(admin).post('/webhooks', {
      url: receiver.url('/rotate'),
      eventTypes: ['workspace:updated'],
    });
    const { id, secret: old } = created.body.data as { id: string; secret: string };
    const rotated = await as(admin).post(`/webhooks/${id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret as string;
    expect(fresh).not.toBe(old);
    expect(new Date(rotated.body.data.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect((await as(admin).put('', { name: 'Rotation 2' })).status).toBe(200);
    const [during] = await receiver
      .waitFor((h) => h.some((x) => x.path === '/rotate'))
      .then((h) => h.filter((x) => x.path === '/rotate'));
    expect(during!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => verify(fresh, during!)).not.toThrow();
    expect(() => verify(old, during!)).not.toThrow();

    const again = await as(admin).post(`/webhooks/${id}/rotate-secret`, { overlapSeconds: 0 });
    const newest = again.body.data.secret as string;
    expect(again.body.data.previousSecretExpiresAt).toBeNull();
    expect((await as(admin).put('', { name: 'Rotation 3' })).status).toBe(200);
    await receiver.waitFor((h) => h.filter((x) => x.path === '/rotate').length === 2);
    const after = receiver.received.filter((x) => x.path === '/rotate')[1]!;
    expect(() => verify(newest, after)).not.toThrow();
    expect(() => verify(fresh, after)).toThrow();
    expectError(await as(admin).post(`/webhooks/${id}/rotate-secret`, { overlapSeconds: -1 }), 400, 'VALIDATION_ERROR');
  });

  test('when the delivery log is paged, then meta.nextCursor leads to the next page and an altered cursor is a 400', async () => {
    const { admin, as } = await team('Hooks Pages');
    const id = (await as(admin).post('/webhooks', { url: receiver.url('/pages'), eventTypes: ['workspace:updated'] }))
      .body.data.id as string;
    for (let i = 0; i < 3; i++) expect((await as(admin).put('', { name: `Pages ${i}` })).status).toBe(200);
    await deliveriesUntil(as(admin), id, (items) => items.length === 3 && items.every((d) => d.status === 'succeeded'));
    const first = await as(admin).get(`/webhooks/${id}/deliveries?limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.meta).toMatchObject({ limit: 2, nextCursor: expect.any(String) });
    const second = await as(admin).get(
      `/webhooks/${id}/deliveries?limit=2&cursor=${encodeURIComponent(first.body.meta.nextCursor)}`,
    );
    expect(second.body.data).toHaveLength(1);
    expect(second.body.meta.nextCursor).toBeNull();
    const ids = [...first.body.data, ...second.body.data].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(3);
    const cursor = first.body.meta.nextCursor as string;
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    expectError(
      await as(admin).get(`/webhooks/${id}/deliveries?cursor=${encodeURIComponent(tampered)}`),
      400,
      'INVALID_CURSOR',
    );
    expectError(await as(admin).get(`/webhooks/${id}/deliveries?cursor=garbage`), 400, 'INVALID_CURSOR');
  });

  test('when finished deliveries are older than the retention, then the daily purge removes them and keeps the rest', async () => {
    const { admin, ws, as } = await team('Hooks Retention');
    const id = (
      await as(admin).post('/webhooks', { url: receiver.url('/retention'), eventTypes: ['workspace:updated'] })
    ).body.data.id as string;
    for (let i = 0; i < 2; i++) expect((await as(admin).put('', { name: `Retention ${i}` })).status).toBe(200);
    const items = await deliveriesUntil(
      as(admin),
      id,
      (d) => d.length === 2 && d.every((x) => x.status === 'succeeded'),
    );
    const [{ schema_name: schema }] = (await selectRows<{ schema_name: string }>(
      server,
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [ws.id],
    )) as [{ schema_name: string }];
    const old = (items as { id: string }[])[1]!.id;
    await execute(
      server,
      `UPDATE "${schema}".webhook_deliveries SET updated_at = now() - interval '40 days' WHERE id = $1`,
      [old],
    );
    const purged = await server.container.get(WEBHOOK_RETENTION).purgeFinished(new Date(Date.now() - 30 * 86_400_000));
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = (await as(admin).get(`/webhooks/${id}/deliveries`)).body.data as { id: string }[];
    expect(left.map((d) => d.id)).toEqual([(items as { id: string }[])[0]!.id]);
    const attempts = await selectRows(server, `SELECT 1 FROM "${schema}".webhook_attempts WHERE delivery_id = $1`, [
      old,
    ]);
    expect(attempts).toEqual([]);
  });

  test('when a workspace has the most endpoints allowed, then one more is refused with 422', async () => {
    const { admin, as } = await team('Hooks Limit');
    for (let i = 0; i < 20; i++) {
      expect(
        (await as(admin).post('/webhooks', { url: receiver.url(`/limit/${i}`), eventTypes: ['workspace:deleted'] }))
          .status,
      ).toBe(201);
    }
    expectError(
      await as(admin).post('/webhooks', { url: receiver.url('/limit/20'), eventTypes: ['workspace:deleted'] }),
      422,
      'WEBHOOK_LIMIT_REACHED',
    );
  });
});

describe('webhooks: persistent failure', () => {
  let setup: WebhookSetup;
  let receiver: WebhookReceiver;
  let server: TestServer;

  beforeAll(async () => {
    setup = await startWebhookSetup(3);
    ({ receiver, server } = setup);
  });
  afterAll(() => setup.close());

  test('when deliveries fail for the whole retry window, then the endpoint is disabled, the admins are notified, and a manual retry works once it is enabled again', async () => {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Hooks Failing');
    await switchTo(server, admin, ws.id);
    const base = `${API}/workspaces/${ws.id}`;
    receiver.answer(() => ({ status: 500, body: 'down for maintenance' }));
    const created = await request(server.url)
      .post(`${base}/webhooks`)
      .set(bearer(admin.accessToken))
      .send({ url: receiver.url('/failing'), eventTypes: ['workspace:updated'] });
    const { id, secret } = created.body.data as { id: string; secret: string };
    await request(server.url).put(base).set(bearer(admin.accessToken)).send({ name: 'Failing 2' }).expect(200);

    const deadline = Date.now() + 20_000;
    let endpoint: { enabled: boolean; disabledReason: string | null };
    for (;;) {
      endpoint = (await request(server.url).get(`${base}/webhooks/${id}`).set(bearer(admin.accessToken))).body.data;
      if (!endpoint.enabled || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabledReason).toContain('HTTP 500');
    const log = await request(server.url).get(`${base}/webhooks/${id}/deliveries`).set(bearer(admin.accessToken));
    const delivery = log.body.data[0] as {
      id: string;
      status: string;
      attempts: number;
      attemptLog: { responseBody: string }[];
    };
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    expect(delivery.attemptLog[0]!.responseBody).toBe('down for maintenance');

    // The admins hear of it.
    let notes: { type: string; data: { webhookId: string } }[] = [];
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      notes = (await request(server.url).get(`${API}/notifications`).set(bearer(admin.accessToken))).body.data;
      if (notes.some((n) => n.type === 'webhook.disabled')) break;
    }
    expect(notes.find((n) => n.type === 'webhook.disabled')?.data.webhookId).toBe(id);
    const audit = await request(server.url)
      .get(`${base}/audit-events?action=webhook.disabled`)
      .set(bearer(admin.accessToken));
    expect(audit.body.data).toHaveLength(1);

    // Disabled: events no longer create deliveries, and a retry is refused until it is enabled.
    const retry = () =>
      request(server.url).post(`${base}/webhooks/${id}/deliveries/${delivery.id}/retry`).set(bearer(admin.accessToken));
    expectError(await retry(), 409, 'WEBHOOK_DISABLED');
    receiver.answer(() => ({ status: 200, body: 'ok' }));
    const enabled = await request(server.url)
      .put(`${base}/webhooks/${id}`)
      .set(bearer(admin.accessToken))
      .send({ enabled: true });
    expect(enabled.body.data).toMatchObject({ enabled: true, disabledReason: null });
    expect((await retry()).status).toBe(202);
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      const d = (await request(server.url).get(`${base}/webhooks/${id}/deliveries`).set(bearer(admin.accessToken))).body
        .data[0];
      if (d.status === 'succeeded') break;
    }
    const final = (await request(server.url).get(`${base}/webhooks/${id}/deliveries`).set(bearer(admin.accessToken)))
      .body.data[0];
    expect(final).toMatchObject({ id: delivery.id, status: 'succeeded', lastStatusCode: 200 });
    const last = receiver.received.filter((h) => h.path === '/failing').pop()!;
    expect(new Webhook(secret).verify(last.body, last.headers)).toMatchObject({ type: 'workspace:updated' });
  });
});

describe('webhooks: SSRF', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ WEBHOOKS_ALLOW_PRIVATE: 'false' });
  });
  afterAll(async () => {
    await server.stop();
  });

  test.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
  ])('when the endpoint URL is %s, then it is refused with 422 and nothing is stored', async (url) => {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Hooks SSRF');
    await switchTo(server, admin, ws.id);
    const res = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/webhooks`)
      .set(bearer(admin.accessToken))
      .send({ url, eventTypes: ['workspace:updated'] });
    expectError(res, 422, 'WEBHOOK_URL_REFUSED');
    const list = await request(server.url).get(`${API}/workspaces/${ws.id}/webhooks`).set(bearer(admin.accessToken));
    expect(list.body.data).toEqual([]);
  });
});
