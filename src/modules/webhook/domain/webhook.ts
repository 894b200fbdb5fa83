import { ConflictError, NotFoundError, UnprocessableError } from '../../../core/errors/app-error';

/**
 * What a workspace can subscribe to: the domain events its sockets carry, named as the socket
 * events are (docs/realtime.md), plus the invitation events. Payload schemas: docs/webhooks.md.
 */
export const WEBHOOK_EVENT_TYPES = [
  'workspace:member:joined',
  'workspace:member:removed',
  'workspace:role:updated',
  'workspace:updated',
  'workspace:deleted',
  'workspace:invitation:sent',
  'workspace:invitation:accepted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** Why the server disabled it (persistent failure); null when enabled or disabled by a person. */
  disabledReason: string | null;
  /** The signing secret, sealed under DATA_ENCRYPTION_KEY. */
  secretSealed: string;
  /** The secret before the last rotation, still signing until previousSecretExpiresAt. */
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  /** Also the `webhook-id` header: the same on every attempt, so a receiver can drop duplicates. */
  id: string;
  endpointId: string;
  eventType: string;
  /** The exact bytes signed and sent, kept so every attempt sends the same. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookAttempt {
  attempt: number;
  at: Date;
  /** null when no HTTP answer came (refused address, connection error, timeout). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** At most the first 1 KiB of the answer. */
  responseBody: string | null;
}

/** What one attempt to deliver gave. */
export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
}

export function succeeded(result: AttemptResult): boolean {
  return result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
}

/**
 * Exponential backoff: the n-th retry (n >= 1) waits base * 2^(n-1) seconds, with up to 10 %
 * jitter, unless it would start later than the window after the first attempt: then there is
 * none, and the delivery has failed for good. `random` is injected for tests.
 */
export function nextRetryDelaySeconds(
  retry: number,
  firstAttemptAt: Date,
  now: Date,
  policy: { baseSeconds: number; windowSeconds: number },
  random: () => number = Math.random,
): number | null {
  const delay = policy.baseSeconds * 2 ** (retry - 1) * (1 + random() * 0.1);
  const startsAt = now.getTime() + delay * 1000;
  if (startsAt > firstAttemptAt.getTime() + policy.windowSeconds * 1000) return null;
  return delay;
}

export class WebhookNotFoundError extends NotFoundError {
  constructor() {
    super('Webhook endpoint not found', 'WEBHOOK_NOT_FOUND');
  }
}

export class DeliveryNotFoundError extends NotFoundError {
  constructor() {
    super('Webhook delivery not found', 'WEBHOOK_DELIVERY_NOT_FOUND');
  }
}

export class WebhookDisabledError extends ConflictError {
  constructor() {
    super('The webhook endpoint is disabled: enable it first (PUT with "enabled": true)', 'WEBHOOK_DISABLED');
  }
}

export class DeliveryInProgressError extends ConflictError {
  constructor() {
    super('The delivery is still being attempted', 'WEBHOOK_DELIVERY_IN_PROGRESS');
  }
}

/** Endpoints one workspace may have: each event is sent once per endpoint. */
export const MAX_ENDPOINTS_PER_WORKSPACE = 20;

export class WebhookLimitError extends UnprocessableError {
  constructor() {
    super(`A workspace may have at most ${MAX_ENDPOINTS_PER_WORKSPACE} webhook endpoints`, 'WEBHOOK_LIMIT_REACHED');
  }
}

/** The URL is not one the server will call (scheme, credentials, or an address it must not reach). */
export class WebhookUrlRefusedError extends UnprocessableError {
  constructor(reason: string) {
    super(`The webhook URL is refused: ${reason}`, 'WEBHOOK_URL_REFUSED');
  }
}
