import type { SchemaName } from '../../../core/domain/schema-name';
import type { AttemptResult, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType } from './webhook';

/** A position in a list ordered newest first: the last item seen. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

/** The current tenant's endpoints, deliveries and attempts (runs in a tenant scope). */
export interface WebhookRepository {
  create(endpoint: WebhookEndpoint): Promise<void>;
  list(): Promise<WebhookEndpoint[]>;
  find(id: string, options?: { forUpdate?: boolean }): Promise<WebhookEndpoint | null>;
  save(endpoint: WebhookEndpoint): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Enabled endpoints subscribed to the event type. */
  subscribedTo(eventType: WebhookEventType): Promise<WebhookEndpoint[]>;
  addDelivery(delivery: WebhookDelivery): Promise<void>;
  findDelivery(id: string, options?: { forUpdate?: boolean }): Promise<WebhookDelivery | null>;
  saveDelivery(delivery: WebhookDelivery): Promise<void>;
  addAttempt(deliveryId: string, attempt: WebhookAttempt): Promise<void>;
  /** An endpoint's deliveries, newest first, after the position; each with its attempts. */
  listDeliveries(
    endpointId: string,
    page: { limit: number; after: ListPosition | null },
  ): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]>;
  /** Members holding the admin role (told when an endpoint is disabled). */
  adminIds(): Promise<string[]>;
}

/** Refuses URLs the server must not call (form, scheme, and where the host resolves). */
export interface UrlPolicy {
  check(url: string): Promise<void>;
}

/** One POST to an endpoint, to the address checked at that moment; never throws. */
export interface WebhookSender {
  send(request: { url: string; headers: Record<string, string>; body: string }): Promise<AttemptResult>;
}

/** Seals the signing secrets at rest (DATA_ENCRYPTION_KEY). */
export interface SecretBox {
  seal(plain: string): string;
  unseal(sealed: string): string;
}

/** Where a workspace's tenant schema is (also for a deleted workspace, whose schema stays). */
export interface TenantLocator {
  schemaOf(workspaceId: string): Promise<SchemaName | null>;
}

export interface RetryPolicy {
  baseSeconds: number;
  windowSeconds: number;
}

/** Keeps the delivery logs of every workspace from growing without end. */
export interface DeliveryRetention {
  /** Deletes finished deliveries (and their attempts) last changed before the date; returns how many. */
  purgeFinished(before: Date): Promise<number>;
}
