import { Token } from 'typedi';
import type {
  DeliveryRetention,
  RetryPolicy,
  SecretBox,
  TenantLocator,
  UrlPolicy,
  WebhookRepository,
  WebhookSender,
} from '../domain/ports';

export const WEBHOOK_REPOSITORY = new Token<WebhookRepository>('WebhookRepository');
export const WEBHOOK_URL_POLICY = new Token<UrlPolicy>('WebhookUrlPolicy');
export const WEBHOOK_SENDER = new Token<WebhookSender>('WebhookSender');
export const WEBHOOK_SECRETS = new Token<SecretBox>('WebhookSecretBox');
export const WEBHOOK_TENANTS = new Token<TenantLocator>('WebhookTenantLocator');
export const WEBHOOK_RETRY_POLICY = new Token<RetryPolicy>('WebhookRetryPolicy');
export const WEBHOOK_RETENTION = new Token<DeliveryRetention>('WebhookDeliveryRetention');

/** Finished deliveries are kept this long in the log, then purged (daily job). */
export const DELIVERY_RETENTION_DAYS = 30;

/** The outbox job that makes one attempt of one delivery. */
export const DELIVER_JOB = 'webhook.deliver';

export interface DeliverJob {
  workspaceId: string;
  deliveryId: string;
  /** A retry asked for by a person: one attempt, no schedule after it, no disabling. */
  manual?: boolean;
}
