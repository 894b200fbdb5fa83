import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { Sealer } from '../../core/utils/sealer';
import { Notifications } from '../notification/notification.public';
import {
  DELIVER_JOB,
  DELIVERY_RETENTION_DAYS,
  WEBHOOK_RETENTION,
  WEBHOOK_REPOSITORY,
  WEBHOOK_RETRY_POLICY,
  WEBHOOK_SECRETS,
  WEBHOOK_SENDER,
  WEBHOOK_TENANTS,
  WEBHOOK_URL_POLICY,
  type DeliverJob,
} from './application/tokens';
import { WebhookDispatcher } from './application/webhook-dispatcher';
import type { WebhookDisabled } from './domain/events';
import { AddressPolicy } from './infrastructure/address-policy';
import { HttpWebhookSender } from './infrastructure/http-webhook-sender';
import { SqlDeliveryRetention } from './infrastructure/sql-delivery-retention';
import { SqlTenantLocator } from './infrastructure/sql-tenant-locator';
import { SqlWebhookRepository } from './infrastructure/sql-webhook.repository';
import { subscribeWebhookEvents } from './presentation/webhook-events';
import { webhookRoutes } from './presentation/webhook.routes';

/** Answers kept in the delivery log are cut at 1 KiB. */
const MAX_RESPONSE_BYTES = 1024;

/** Outgoing webhooks: endpoints per workspace, signed deliveries from the outbox (ADR 0015). */
export const webhookModule: AppModule = {
  name: 'webhook',
  register: (container) => {
    const config = container.get(TOKENS.config);
    const policy = new AddressPolicy(config.webhooks.allowPrivate);
    container.set(WEBHOOK_REPOSITORY, new SqlWebhookRepository(container.get(TOKENS.sequelize)));
    container.set(WEBHOOK_URL_POLICY, policy);
    container.set(
      WEBHOOK_SENDER,
      new HttpWebhookSender(policy, { timeoutMs: config.webhooks.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES }),
    );
    container.set(WEBHOOK_SECRETS, Sealer.fromSecret(config.auth.dataEncryptionKey, 'webhook-signing-secret'));
    container.set(WEBHOOK_TENANTS, new SqlTenantLocator(container.get(TOKENS.sequelize)));
    container.set(WEBHOOK_RETENTION, new SqlDeliveryRetention(container.get(TOKENS.shards)));
    container.set(WEBHOOK_RETRY_POLICY, {
      baseSeconds: config.webhooks.retryBaseSeconds,
      windowSeconds: config.webhooks.retryWindowSeconds,
    });
  },
  routes: webhookRoutes,
  subscribe: (container) => {
    const bus = container.get(TOKENS.eventBus);
    const dispatcher = () => container.get(WebhookDispatcher);
    container.get(TOKENS.jobs).handle<DeliverJob>(DELIVER_JOB, (job, context) => dispatcher().deliver(job, context));
    subscribeWebhookEvents(dispatcher, bus);
    // Housekeeping: finished deliveries leave the logs after DELIVERY_RETENTION_DAYS, daily.
    const jobs = container.get(TOKENS.jobs);
    jobs.every('webhooks.purge-deliveries', '41 3 * * *', async () => {
      const before = new Date(Date.now() - DELIVERY_RETENTION_DAYS * 86_400_000);
      const purged = await container.get(WEBHOOK_RETENTION).purgeFinished(before);
      container.get(TOKENS.logger).info({ purged }, 'old webhook deliveries purged');
    });
    // The workspace's admins hear of an endpoint the server disabled (in-app notification).
    bus.subscribe<WebhookDisabled>('WebhookDisabled', 'webhooks.notify-disabled', async ({ payload }, job) => {
      const admins = await dispatcher().adminsOf(payload.workspaceId);
      await container.get(Notifications).notify(
        payload.workspaceId,
        admins,
        {
          type: 'webhook.disabled',
          title: 'A webhook endpoint was disabled',
          body: `Deliveries to ${new URL(payload.url).host} kept failing, so it receives no more events. Fix it, then enable it again.`,
          data: { webhookId: payload.webhookId, url: payload.url, deliveryId: payload.deliveryId },
        },
        job,
      );
    });
  },
};
