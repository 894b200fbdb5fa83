import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { JobContext, Outbox } from '../../../core/infrastructure/jobs/outbox';
import type { JobReceipts } from '../../../core/infrastructure/jobs/receipts';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { WebhookDisabled } from '../domain/events';
import type { RetryPolicy, SecretBox, TenantLocator, WebhookRepository, WebhookSender } from '../domain/ports';
import { signatureHeader } from '../domain/signature';
import {
  nextRetryDelaySeconds,
  succeeded,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from '../domain/webhook';
import {
  DELIVER_JOB,
  WEBHOOK_REPOSITORY,
  WEBHOOK_RETRY_POLICY,
  WEBHOOK_SECRETS,
  WEBHOOK_SENDER,
  WEBHOOK_TENANTS,
  type DeliverJob,
} from './tokens';

/**
 * Turns events into deliveries and deliveries into signed POSTs. Both steps are outbox jobs:
 * fan-out runs as the event's subscriber job and writes each delivery row with its first
 * attempt's job in one tenant transaction; an attempt records its outcome and, when it failed,
 * its next attempt's job (delayed by the backoff) in one transaction. A crash between an attempt
 * and its record makes the job run again: at least once, with the same `webhook-id`.
 */
@Service()
export class WebhookDispatcher {
  constructor(
    @Inject(WEBHOOK_REPOSITORY) private readonly repository: WebhookRepository,
    @Inject(WEBHOOK_SENDER) private readonly sender: WebhookSender,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: SecretBox,
    @Inject(WEBHOOK_TENANTS) private readonly tenants: TenantLocator,
    @Inject(WEBHOOK_RETRY_POLICY) private readonly policy: RetryPolicy,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.jobs) private readonly outbox: Outbox,
    @Inject(TOKENS.receipts) private readonly receipts: Pick<JobReceipts, 'claim'>,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  /** One delivery per enabled endpoint subscribed to the type, once however often the job runs. */
  async fanOut(
    workspaceId: string,
    type: WebhookEventType,
    data: object,
    occurredAt: string,
    job: JobContext,
  ): Promise<number> {
    const schema = await this.tenants.schemaOf(workspaceId);
    if (!schema) return 0;
    return this.tx.runInTenant(schema, async () => {
      if (!(await this.receipts.claim(job, 'webhooks.fan-out'))) return 0;
      const endpoints = await this.repository.subscribedTo(type);
      if (endpoints.length === 0) return 0;
      const now = this.clock.now();
      const body = JSON.stringify({ type, timestamp: occurredAt, data });
      const deliveries: WebhookDelivery[] = endpoints.map((endpoint) => ({
        id: randomUUID(),
        endpointId: endpoint.id,
        eventType: type,
        body,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastStatusCode: null,
        lastError: null,
        lastDurationMs: null,
        createdAt: now,
        updatedAt: now,
      }));
      for (const delivery of deliveries) await this.repository.addDelivery(delivery);
      await this.outbox.enqueue(
        ...deliveries.map((d) => ({
          type: DELIVER_JOB,
          data: { workspaceId, deliveryId: d.id } satisfies DeliverJob,
        })),
      );
      return deliveries.length;
    });
  }

  /** One attempt of one delivery (the job `webhook.deliver`). */
  async deliver(job: DeliverJob, context: JobContext): Promise<void> {
    const schema = await this.tenants.schemaOf(job.workspaceId);
    if (!schema) return;
    const loaded = await this.tx.runInTenant(schema, async () => {
      const delivery = await this.repository.findDelivery(job.deliveryId);
      // Gone with its endpoint, or already finished (a duplicate job): nothing to do.
      if (!delivery || (delivery.status !== 'pending' && delivery.status !== 'retrying')) return null;
      const endpoint = await this.repository.find(delivery.endpointId);
      if (!endpoint) return null;
      if (!endpoint.enabled) {
        Object.assign(delivery, {
          status: 'failed',
          nextAttemptAt: null,
          lastError: 'the endpoint is disabled',
          updatedAt: this.clock.now(),
        });
        await this.repository.saveDelivery(delivery);
        return null;
      }
      return { delivery, endpoint };
    });
    if (!loaded) return;
    const { delivery, endpoint } = loaded;

    const sentAt = this.clock.now();
    const timestamp = Math.floor(sentAt.getTime() / 1000);
    const result = await this.sender.send({
      url: endpoint.url,
      body: delivery.body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'tenant-api-webhooks/1',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(
          this.signingSecrets(endpoint, sentAt),
          delivery.id,
          timestamp,
          delivery.body,
        ),
      },
    });

    await this.tx.runInTenant(schema, async () => {
      if (!(await this.receipts.claim(context, 'webhooks.attempt'))) return;
      const current = await this.repository.findDelivery(delivery.id, { forUpdate: true });
      if (!current) return;
      const now = this.clock.now();
      const attempt = current.attempts + 1;
      await this.repository.addAttempt(current.id, { attempt, at: sentAt, ...result });
      Object.assign(current, {
        attempts: attempt,
        lastStatusCode: result.statusCode,
        lastError: result.error,
        lastDurationMs: result.durationMs,
        updatedAt: now,
      });
      if (succeeded(result)) {
        Object.assign(current, { status: 'succeeded', nextAttemptAt: null });
      } else {
        const delay = job.manual ? null : nextRetryDelaySeconds(attempt, current.createdAt, now, this.policy);
        if (delay !== null) {
          const startAfter = new Date(now.getTime() + delay * 1000);
          Object.assign(current, { status: 'retrying', nextAttemptAt: startAfter });
          await this.outbox.enqueue({
            type: DELIVER_JOB,
            data: { workspaceId: job.workspaceId, deliveryId: current.id } satisfies DeliverJob,
            startAfter,
          });
        } else {
          Object.assign(current, { status: 'failed', nextAttemptAt: null });
          if (!job.manual) await this.disable(job.workspaceId, current);
        }
      }
      await this.repository.saveDelivery(current);
    });
  }

  /** Admins of the workspace (for the WebhookDisabled notification). */
  async adminsOf(workspaceId: string): Promise<string[]> {
    const schema = await this.tenants.schemaOf(workspaceId);
    if (!schema) return [];
    return this.tx.runInTenant(schema, () => this.repository.adminIds());
  }

  /** The current secret, and the previous one while its overlap lasts. */
  private signingSecrets(endpoint: WebhookEndpoint, at: Date): string[] {
    const secrets = [this.secrets.unseal(endpoint.secretSealed)];
    if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) {
      secrets.push(this.secrets.unseal(endpoint.previousSecretSealed));
    }
    return secrets;
  }

  /** A delivery failed for the whole retry window: the endpoint stops receiving until re-enabled. */
  private async disable(workspaceId: string, delivery: WebhookDelivery): Promise<void> {
    const endpoint = await this.repository.find(delivery.endpointId, { forUpdate: true });
    if (!endpoint || !endpoint.enabled) return;
    const reason = `A delivery failed for ${this.policy.windowSeconds} s (${delivery.attempts} attempts; last: ${
      delivery.lastError ?? 'no answer'
    })`;
    Object.assign(endpoint, { enabled: false, disabledReason: reason.slice(0, 500), updatedAt: this.clock.now() });
    await this.repository.save(endpoint);
    await this.audit.record({
      action: 'webhook.disabled',
      actorId: null,
      targetType: 'webhook',
      targetId: endpoint.id,
      metadata: { deliveryId: delivery.id, attempts: delivery.attempts, host: new URL(endpoint.url).host },
    });
    await this.events.publish<WebhookDisabled>(
      domainEvent('WebhookDisabled', {
        workspaceId,
        webhookId: endpoint.id,
        url: endpoint.url,
        deliveryId: delivery.id,
      }),
    );
  }
}
