import 'reflect-metadata';
import { SchemaName } from '../../../core/domain/schema-name';
import { EventBus } from '../../../core/infrastructure/events/event-bus';
import { MemoryOutbox } from '../../../core/infrastructure/jobs/memory-outbox.test-support';
import type { AuditEntry } from '../../audit/audit.public';
import type { WebhookDisabled } from '../domain/events';
import type { ListPosition, WebhookRepository } from '../domain/ports';
import type { AttemptResult, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../domain/webhook';
import { DELIVER_JOB, type DeliverJob } from './tokens';
import { WebhookDispatcher } from './webhook-dispatcher';

/** The tenant's webhook tables in memory (copies in and out, as a database would). */
class FakeWebhooks implements WebhookRepository {
  endpoints = new Map<string, WebhookEndpoint>();
  deliveries = new Map<string, WebhookDelivery>();
  attempts: (WebhookAttempt & { deliveryId: string })[] = [];
  async create(e: WebhookEndpoint) {
    this.endpoints.set(e.id, { ...e });
  }
  async list() {
    return [...this.endpoints.values()].map((e) => ({ ...e }));
  }
  async find(id: string) {
    const e = this.endpoints.get(id);
    return e ? { ...e } : null;
  }
  async save(e: WebhookEndpoint) {
    this.endpoints.set(e.id, { ...e });
  }
  async delete(id: string) {
    return this.endpoints.delete(id);
  }
  async subscribedTo(type: string) {
    return [...this.endpoints.values()].filter((e) => e.enabled && (e.eventTypes as string[]).includes(type));
  }
  async addDelivery(d: WebhookDelivery) {
    this.deliveries.set(d.id, { ...d });
  }
  async findDelivery(id: string) {
    const d = this.deliveries.get(id);
    return d ? { ...d } : null;
  }
  async saveDelivery(d: WebhookDelivery) {
    this.deliveries.set(d.id, { ...d });
  }
  async addAttempt(deliveryId: string, a: WebhookAttempt) {
    this.attempts.push({ ...a, deliveryId });
  }
  async listDeliveries(_endpointId: string, _page: { limit: number; after: ListPosition | null }) {
    return [];
  }
  async adminIds() {
    return ['admin-1'];
  }
}

const WORKSPACE = '0b6f3c1e-8f44-4c55-9d0a-5f8e2c9a7b11';
const SCHEMA = SchemaName.parse('tenant_0b6f3c1e8f444c559d0a5f8e2c9a7b11');

function setup(answers: AttemptResult[], policy = { baseSeconds: 30, windowSeconds: 86_400 }) {
  const repository = new FakeWebhooks();
  const outbox = new MemoryOutbox();
  const bus = new EventBus(outbox);
  const disabled: WebhookDisabled[] = [];
  bus.subscribe<WebhookDisabled>('WebhookDisabled', 'test.disabled', (event) => {
    disabled.push(event);
  });
  const audit: AuditEntry[] = [];
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  let now = new Date('2026-12-04T12:00:00Z');
  const dispatcher = new WebhookDispatcher(
    repository,
    {
      send: async (request) => {
        sent.push(request);
        return answers.shift() ?? { statusCode: 200, durationMs: 5, error: null, responseBody: null };
      },
    },
    { seal: (s) => `sealed:${s}`, unseal: (s) => s.replace(/^sealed:/, '') },
    { schemaOf: async (id) => (id === WORKSPACE ? SCHEMA : null) },
    policy,
    { run: (work) => work(), runInTenant: (_schema, work) => work() },
    outbox,
    { claim: async () => true },
    bus,
    { record: async (entry) => void audit.push(entry) },
    { now: () => now },
  );
  const endpoint: WebhookEndpoint = {
    id: 'e1',
    url: 'https://hooks.example.com/in',
    description: '',
    eventTypes: ['workspace:updated'],
    enabled: true,
    disabledReason: null,
    secretSealed: `sealed:whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
  void repository.create(endpoint);
  return {
    repository,
    outbox,
    audit,
    sent,
    disabled,
    dispatcher,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
    deliverJobs: () => outbox.queued.filter((j) => j.type === DELIVER_JOB),
  };
}

const failure: AttemptResult = { statusCode: 503, durationMs: 12, error: 'HTTP 503', responseBody: 'busy' };
const job = (id: string) => ({ id, attempt: 1 });

describe('WebhookDispatcher', () => {
  test('when an event fans out, then only enabled endpoints subscribed to its type get a pending delivery and a job', async () => {
    const t = setup([]);
    await t.repository.create({ ...(await t.repository.find('e1'))!, id: 'e2', eventTypes: ['workspace:deleted'] });
    await t.repository.create({ ...(await t.repository.find('e1'))!, id: 'e3', enabled: false });
    const count = await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      '2026-12-04T11:59:00.000Z',
      job('j1'),
    );
    expect(count).toBe(1);
    const [delivery] = [...t.repository.deliveries.values()];
    expect(delivery).toMatchObject({ endpointId: 'e1', status: 'pending', attempts: 0 });
    expect(JSON.parse(delivery!.body)).toEqual({
      type: 'workspace:updated',
      timestamp: '2026-12-04T11:59:00.000Z',
      data: { workspaceId: WORKSPACE },
    });
    expect(t.deliverJobs().map((j) => j.data)).toEqual([{ workspaceId: WORKSPACE, deliveryId: delivery!.id }]);
  });

  test('when an attempt fails, then it is recorded and the next one is queued after the backoff', async () => {
    const t = setup([failure]);
    await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      new Date().toISOString(),
      job('j1'),
    );
    const first = t.deliverJobs()[0]!;
    t.outbox.queued.length = 0;
    await t.dispatcher.deliver(first.data as DeliverJob, job('j2'));
    const delivery = [...t.repository.deliveries.values()][0]!;
    expect(delivery).toMatchObject({ status: 'retrying', attempts: 1, lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(t.repository.attempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 503, durationMs: 12, responseBody: 'busy' }),
    ]);
    const [next] = t.deliverJobs();
    const wait = (next!.startAfter!.getTime() - new Date('2026-12-04T12:00:00Z').getTime()) / 1000;
    expect(wait).toBeGreaterThanOrEqual(30);
    expect(wait).toBeLessThanOrEqual(33);
    expect(t.sent[0]!.headers).toMatchObject({ 'webhook-id': delivery.id, 'content-type': 'application/json' });
    expect(t.sent[0]!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  test('when attempts keep failing past the window, then the delivery fails, the endpoint is disabled, audited and announced', async () => {
    const t = setup(Array(20).fill(failure), { baseSeconds: 30, windowSeconds: 100 });
    await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      new Date().toISOString(),
      job('j0'),
    );
    for (let i = 1; t.deliverJobs().length > 0 && i < 20; i++) {
      const next = t.deliverJobs()[0]!;
      t.outbox.queued.length = 0;
      if (next.startAfter) t.advance((next.startAfter.getTime() - Date.parse('2026-12-04T12:00:00Z')) / 1000);
      await t.dispatcher.deliver(next.data as DeliverJob, job(`j${i}`));
    }
    const delivery = [...t.repository.deliveries.values()][0]!;
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toBe(3); // at 0 s, then after 30 s and 60 s more; a third retry would start past 100 s
    expect(await t.repository.find('e1')).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('HTTP 503'),
    });
    expect(t.audit).toEqual([expect.objectContaining({ action: 'webhook.disabled', actorId: null, targetId: 'e1' })]);
    expect(t.outbox.queued.map((j) => j.type)).toEqual(['event.test.disabled']);
  });

  test('when a manual retry fails, then the delivery is failed again with no schedule, and the endpoint stays enabled', async () => {
    const t = setup([failure]);
    await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      new Date().toISOString(),
      job('j1'),
    );
    const { deliveryId } = t.deliverJobs()[0]!.data as DeliverJob;
    t.outbox.queued.length = 0;
    await t.dispatcher.deliver({ workspaceId: WORKSPACE, deliveryId, manual: true }, job('j2'));
    expect(t.repository.deliveries.get(deliveryId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(t.outbox.queued).toEqual([]);
    expect(await t.repository.find('e1')).toMatchObject({ enabled: true });
  });

  test('when the endpoint was disabled meanwhile, then nothing is sent and the delivery ends failed', async () => {
    const t = setup([]);
    await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      new Date().toISOString(),
      job('j1'),
    );
    const data = t.deliverJobs()[0]!.data as DeliverJob;
    await t.repository.save({ ...(await t.repository.find('e1'))!, enabled: false });
    await t.dispatcher.deliver(data, job('j2'));
    expect(t.sent).toEqual([]);
    expect(t.repository.deliveries.get(data.deliveryId)).toMatchObject({
      status: 'failed',
      lastError: 'the endpoint is disabled',
    });
  });

  test('when the secret was rotated with an overlap, then both secrets sign until the overlap ends', async () => {
    const t = setup([]);
    const endpoint = (await t.repository.find('e1'))!;
    await t.repository.save({
      ...endpoint,
      previousSecretSealed: `sealed:whsec_${Buffer.alloc(32, 9).toString('base64')}`,
      previousSecretExpiresAt: new Date('2026-12-04T13:00:00Z'),
    });
    await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      new Date().toISOString(),
      job('j1'),
    );
    await t.dispatcher.deliver(t.deliverJobs()[0]!.data as DeliverJob, job('j2'));
    expect(t.sent[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    t.advance(7200);
    await t.dispatcher.fanOut(
      WORKSPACE,
      'workspace:updated',
      { workspaceId: WORKSPACE },
      new Date().toISOString(),
      job('j3'),
    );
    await t.dispatcher.deliver(t.deliverJobs().pop()!.data as DeliverJob, job('j4'));
    expect(t.sent[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
  });
});
