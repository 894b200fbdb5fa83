import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { API, bearer } from '../support/auth-helpers';
import { explainFailure, ProcessGroup } from '../support/processes';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { createWorkspace, switchTo, verifiedAccount } from '../support/workspace-helpers';

// One deployment: the processes share the database and the secrets (webhook signing secrets are
// sealed with DATA_ENCRYPTION_KEY, so every process must hold the same one).
const SECRETS = {
  JWT_SECRET: 'webhook-faults-jwt-secret-0123456789abcdef',
  REFRESH_TOKEN_SECRET: 'webhook-faults-refresh-secret-0123456789ab',
  DATA_ENCRYPTION_KEY: 'webhook-faults-data-encryption-key-012345',
};
const WEBHOOKS = { WEBHOOKS_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_S: '1', WEBHOOK_RETRY_WINDOW_S: '300' };

/** Webhooks across a receiver outage and a killed API: real processes, a real local receiver. */
describe('fault: webhooks across a receiver outage and an API crash', () => {
  let receiver: WebhookReceiver;
  let helper: TestServer;
  const processes = new ProcessGroup();

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    helper = await startTestServer({ ...SECRETS, ...WEBHOOKS });
  }, 120_000);
  afterEach(() => processes.killAll());
  afterAll(async () => {
    await helper.stop();
    await receiver.close();
  });

  /** The compiled API as `npm start` runs it, running its jobs. */
  const api = (prefix: string) => processes.api(prefix, { ...SECRETS, ...WEBHOOKS, WORKERS: 'inline' });

  test('when the receiver is down and the API is killed (SIGKILL) between retries, then after a restart and the receiver’s return the webhook arrives, signed', async () => {
    const prefix = `hook${randomUUID().slice(0, 8)}`;
    const admin = await verifiedAccount(helper);
    const ws = await createWorkspace(helper, admin, `Hook Crash ${prefix}`);
    await switchTo(helper, admin, ws.id);
    const created = await request(helper.url)
      .post(`${API}/workspaces/${ws.id}/webhooks`)
      .set(bearer(admin.accessToken))
      .send({ url: receiver.url(`/${prefix}`), eventTypes: ['workspace:updated'] });
    expect(created.status).toBe(201);
    const { id: webhookId, secret } = created.body.data as { id: string; secret: string };
    const [{ schema_name: schema }] = (await selectRows<{ schema_name: string }>(
      helper,
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [ws.id],
    )) as [{ schema_name: string }];
    const delivery = async () =>
      (
        await selectRows<{ id: string; status: string; attempts: number }>(
          helper,
          `SELECT id, status, attempts FROM "${schema}".webhook_deliveries WHERE endpoint_id = $1`,
          [webhookId],
        )
      )[0];

    await receiver.down();
    const first = await api(prefix);
    await explainFailure([first.process], async () => {
      const updated = await request(first.url)
        .put(`${API}/workspaces/${ws.id}`)
        .set(bearer(admin.accessToken))
        .send({ name: `Hook Crash 2 ${prefix}` });
      expect(updated.status).toBe(200);
      // The first attempts fail (connection refused) and the next one is scheduled.
      const deadline = Date.now() + 20_000;
      while (((await delivery())?.attempts ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const pending = await delivery();
      expect(pending?.status).toBe('retrying');
      expect(pending?.attempts).toBeGreaterThanOrEqual(2);
      first.process.child.kill('SIGKILL');
      await first.process.exited;
    });
    const seenBefore = receiver.received.filter((h) => h.path === `/${prefix}`);
    expect(seenBefore).toEqual([]);

    await receiver.up();
    const second = await api(prefix);
    await explainFailure([second.process], async () => {
      const hooks = await receiver
        .waitFor((all) => all.some((h) => h.path === `/${prefix}`), 30_000)
        .then((all) => all.filter((h) => h.path === `/${prefix}`));
      const event = new Webhook(secret).verify(hooks[0]!.body, hooks[0]!.headers) as { type: string; data: object };
      expect(event).toMatchObject({ type: 'workspace:updated', data: { workspaceId: ws.id } });
      const deadline = Date.now() + 10_000;
      while ((await delivery())?.status !== 'succeeded' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const done = await delivery();
      expect(done).toMatchObject({ status: 'succeeded' });
      expect(hooks.every((h) => h.headers['webhook-id'] === done!.id)).toBe(true);
      expect(done!.attempts).toBeGreaterThanOrEqual(2);
    });
  }, 120_000);
});
