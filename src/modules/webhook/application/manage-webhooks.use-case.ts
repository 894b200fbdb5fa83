import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Outbox } from '../../../core/infrastructure/jobs/outbox';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { ListPosition, SecretBox, UrlPolicy, WebhookRepository } from '../domain/ports';
import { newSigningSecret } from '../domain/signature';
import {
  DeliveryInProgressError,
  DeliveryNotFoundError,
  MAX_ENDPOINTS_PER_WORKSPACE,
  WEBHOOK_EVENT_TYPES,
  WebhookLimitError,
  WebhookDisabledError,
  WebhookNotFoundError,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../domain/webhook';
import { DELIVER_JOB, WEBHOOK_REPOSITORY, WEBHOOK_SECRETS, WEBHOOK_URL_POLICY, type DeliverJob } from './tokens';

const eventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((types) => new Set(types).size === types.length, 'Each event type at most once');
const url = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ example: 'https://hooks.example.com/tenant-api' });

export const createWebhookInput = z.strictObject({
  url,
  eventTypes: eventTypes.openapi({ example: ['workspace:member:joined'] }),
  description: z.string().max(500).default(''),
  enabled: z.boolean().default(true),
});
export const updateWebhookInput = z.strictObject({
  url: url.optional(),
  eventTypes: eventTypes.optional(),
  description: z.string().max(500).optional(),
  enabled: z.boolean().optional(),
});
export const rotateSecretInput = z.strictObject({
  /** How long the previous secret keeps signing beside the new one. */
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400),
});

export interface DeliveryPage {
  items: (WebhookDelivery & { attemptLog: WebhookAttempt[] })[];
  next: ListPosition | null;
}

/** Endpoint management in the active workspace's tenant scope (permission webhooks.manage). */
@Service()
export class ManageWebhooks {
  constructor(
    @Inject(WEBHOOK_REPOSITORY) private readonly repository: WebhookRepository,
    @Inject(WEBHOOK_URL_POLICY) private readonly urls: UrlPolicy,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: SecretBox,
    @Inject(TOKENS.jobs) private readonly outbox: Outbox,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  /** Creates the endpoint; the signing secret is in the answer, and never again. */
  async create(input: z.infer<typeof createWebhookInput>): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    if ((await this.repository.list()).length >= MAX_ENDPOINTS_PER_WORKSPACE) throw new WebhookLimitError();
    await this.urls.check(input.url);
    const secret = newSigningSecret();
    const now = this.clock.now();
    const endpoint: WebhookEndpoint = {
      id: randomUUID(),
      url: input.url,
      description: input.description,
      eventTypes: input.eventTypes,
      enabled: input.enabled,
      disabledReason: null,
      secretSealed: this.secrets.seal(secret),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.repository.create(endpoint);
    await this.audit.record({
      action: 'webhook.created',
      targetType: 'webhook',
      targetId: endpoint.id,
      metadata: { host: new URL(endpoint.url).host, eventTypes: endpoint.eventTypes },
    });
    return { endpoint, secret };
  }

  list(): Promise<WebhookEndpoint[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.repository.find(id);
    if (!endpoint) throw new WebhookNotFoundError();
    return endpoint;
  }

  async update(id: string, input: z.infer<typeof updateWebhookInput>): Promise<WebhookEndpoint> {
    const endpoint = await this.repository.find(id, { forUpdate: true });
    if (!endpoint) throw new WebhookNotFoundError();
    if (input.url !== undefined && input.url !== endpoint.url) await this.urls.check(input.url);
    const changed = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
    Object.assign(endpoint, {
      url: input.url ?? endpoint.url,
      eventTypes: input.eventTypes ?? endpoint.eventTypes,
      description: input.description ?? endpoint.description,
      enabled: input.enabled ?? endpoint.enabled,
      updatedAt: this.clock.now(),
    });
    // Enabled again by a person, or disabled by one: the server's reason no longer applies.
    if (input.enabled !== undefined) endpoint.disabledReason = null;
    await this.repository.save(endpoint);
    await this.audit.record({
      action: 'webhook.updated',
      targetType: 'webhook',
      targetId: endpoint.id,
      metadata: { changed, host: new URL(endpoint.url).host, enabled: endpoint.enabled },
    });
    return endpoint;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repository.delete(id))) throw new WebhookNotFoundError();
    await this.audit.record({ action: 'webhook.deleted', targetType: 'webhook', targetId: id });
  }

  /**
   * A new signing secret, shown once. The previous one keeps signing beside it (two signatures
   * in `webhook-signature`) for the overlap, so receivers can switch without losing a message.
   */
  async rotateSecret(id: string, overlapSeconds: number): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const endpoint = await this.repository.find(id, { forUpdate: true });
    if (!endpoint) throw new WebhookNotFoundError();
    const secret = newSigningSecret();
    const now = this.clock.now();
    endpoint.previousSecretSealed = overlapSeconds > 0 ? endpoint.secretSealed : null;
    endpoint.previousSecretExpiresAt = overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000) : null;
    endpoint.secretSealed = this.secrets.seal(secret);
    endpoint.updatedAt = now;
    await this.repository.save(endpoint);
    await this.audit.record({
      action: 'webhook.secret_rotated',
      targetType: 'webhook',
      targetId: endpoint.id,
      metadata: { overlapSeconds },
    });
    return { endpoint, secret };
  }

  async deliveries(endpointId: string, page: { limit: number; after: ListPosition | null }): Promise<DeliveryPage> {
    await this.get(endpointId);
    // One more than asked: whether a next page exists, without counting.
    const rows = await this.repository.listDeliveries(endpointId, { limit: page.limit + 1, after: page.after });
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
  }

  /** Sends a finished delivery again now: one attempt (the same webhook-id), no schedule after it. */
  async retry(endpointId: string, deliveryId: string, workspaceId: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(endpointId);
    const delivery = await this.repository.findDelivery(deliveryId, { forUpdate: true });
    if (!delivery || delivery.endpointId !== endpoint.id) throw new DeliveryNotFoundError();
    if (!endpoint.enabled) throw new WebhookDisabledError();
    if (delivery.status === 'pending' || delivery.status === 'retrying') throw new DeliveryInProgressError();
    const now = this.clock.now();
    Object.assign(delivery, { status: 'pending', nextAttemptAt: now, updatedAt: now });
    await this.repository.saveDelivery(delivery);
    await this.outbox.enqueue({
      type: DELIVER_JOB,
      data: { workspaceId, deliveryId: delivery.id, manual: true } satisfies DeliverJob,
    });
    await this.audit.record({
      action: 'webhook.delivery_retried',
      targetType: 'webhook',
      targetId: endpoint.id,
      metadata: { deliveryId: delivery.id },
    });
    return delivery;
  }
}
