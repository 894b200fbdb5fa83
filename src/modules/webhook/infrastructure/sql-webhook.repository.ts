import type { Sequelize } from 'sequelize';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import type { ListPosition, WebhookRepository } from '../domain/ports';
import type {
  DeliveryStatus,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEventType,
} from '../domain/webhook';

interface EndpointRow {
  id: string;
  url: string;
  description: string;
  event_types: WebhookEventType[];
  enabled: boolean;
  disabled_reason: string | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: Date;
  updated_at: Date;
}

interface AttemptJson {
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_body: string | null;
}

const ENDPOINT_COLUMNS = `id, url, description, event_types, enabled, disabled_reason, secret_sealed,
  previous_secret_sealed, previous_secret_expires_at, created_at, updated_at`;
const DELIVERY_COLUMNS = `id, endpoint_id, event_type, body, status, attempts, next_attempt_at, last_status_code,
  last_error, last_duration_ms, created_at, updated_at`;

const endpointOf = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  secretSealed: r.secret_sealed,
  previousSecretSealed: r.previous_secret_sealed,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const deliveryOf = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventType: r.event_type,
  body: r.body,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastDurationMs: r.last_duration_ms,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const endpointValues = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: JSON.stringify(e.eventTypes),
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  secret: e.secretSealed,
  previous: e.previousSecretSealed,
  previousExpires: e.previousSecretExpiresAt,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

const deliveryValues = (d: WebhookDelivery) => ({
  id: d.id,
  endpointId: d.endpointId,
  eventType: d.eventType,
  body: d.body,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  lastDurationMs: d.lastDurationMs,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

const TYPES = 'ARRAY(SELECT jsonb_array_elements_text(CAST(:eventTypes AS jsonb)))';

/** The tenant's webhook tables, through the current tenant scope. */
export class SqlWebhookRepository implements WebhookRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async create(e: WebhookEndpoint): Promise<void> {
    await tenantQuery(
      this.sequelize,
      `INSERT INTO webhook_endpoints (${ENDPOINT_COLUMNS}) VALUES (:id, :url, :description, ${TYPES}, :enabled,
         :disabledReason, :secret, :previous, :previousExpires, :createdAt, :updatedAt)`,
      endpointValues(e),
    );
  }

  async list(): Promise<WebhookEndpoint[]> {
    const rows = await tenantQuery<EndpointRow>(
      this.sequelize,
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`,
      {},
    );
    return rows.map(endpointOf);
  }

  async find(id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpoint | null> {
    const [row] = await tenantQuery<EndpointRow>(
      this.sequelize,
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = :id${options.forUpdate ? ' FOR UPDATE' : ''}`,
      { id },
    );
    return row ? endpointOf(row) : null;
  }

  async save(e: WebhookEndpoint): Promise<void> {
    await tenantQuery(
      this.sequelize,
      `UPDATE webhook_endpoints SET url = :url, description = :description, event_types = ${TYPES},
         enabled = :enabled, disabled_reason = :disabledReason, secret_sealed = :secret,
         previous_secret_sealed = :previous, previous_secret_expires_at = :previousExpires, updated_at = :updatedAt
       WHERE id = :id`,
      endpointValues(e),
    );
  }

  async delete(id: string): Promise<boolean> {
    const rows = await tenantQuery(this.sequelize, 'DELETE FROM webhook_endpoints WHERE id = :id RETURNING id', {
      id,
    });
    return rows.length === 1;
  }

  async subscribedTo(eventType: WebhookEventType): Promise<WebhookEndpoint[]> {
    const rows = await tenantQuery<EndpointRow>(
      this.sequelize,
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE enabled AND :eventType = ANY (event_types)
       ORDER BY created_at, id`,
      { eventType },
    );
    return rows.map(endpointOf);
  }

  async addDelivery(d: WebhookDelivery): Promise<void> {
    await tenantQuery(
      this.sequelize,
      `INSERT INTO webhook_deliveries (${DELIVERY_COLUMNS}) VALUES (:id, :endpointId, :eventType, :body, :status,
         :attempts, :nextAttemptAt, :lastStatusCode, :lastError, :lastDurationMs, :createdAt, :updatedAt)`,
      deliveryValues(d),
    );
  }

  async findDelivery(id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookDelivery | null> {
    const [row] = await tenantQuery<DeliveryRow>(
      this.sequelize,
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = :id${options.forUpdate ? ' FOR UPDATE' : ''}`,
      { id },
    );
    return row ? deliveryOf(row) : null;
  }

  async saveDelivery(d: WebhookDelivery): Promise<void> {
    await tenantQuery(
      this.sequelize,
      `UPDATE webhook_deliveries SET status = :status, attempts = :attempts, next_attempt_at = :nextAttemptAt,
         last_status_code = :lastStatusCode, last_error = :lastError, last_duration_ms = :lastDurationMs,
         updated_at = :updatedAt
       WHERE id = :id`,
      deliveryValues(d),
    );
  }

  async addAttempt(deliveryId: string, a: WebhookAttempt): Promise<void> {
    await tenantQuery(
      this.sequelize,
      `INSERT INTO webhook_attempts (id, delivery_id, attempt, at, status_code, duration_ms, error, response_body)
       VALUES (gen_random_uuid(), :deliveryId, :attempt, :at, :statusCode, :durationMs, :error, :responseBody)`,
      {
        deliveryId,
        attempt: a.attempt,
        at: a.at,
        statusCode: a.statusCode,
        durationMs: a.durationMs,
        error: a.error,
        responseBody: a.responseBody,
      },
    );
  }

  async listDeliveries(
    endpointId: string,
    page: { limit: number; after: ListPosition | null },
  ): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]> {
    const rows = await tenantQuery<DeliveryRow & { attempt_log: AttemptJson[] }>(
      this.sequelize,
      `SELECT ${DELIVERY_COLUMNS.replace(/(\w+)/g, 'd.$1')},
         COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'status_code', a.status_code,
             'duration_ms', a.duration_ms, 'error', a.error, 'response_body', a.response_body) ORDER BY a.attempt)
           FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempt_log
       FROM webhook_deliveries d
       WHERE d.endpoint_id = :endpointId
         AND (CAST(:afterAt AS timestamptz) IS NULL OR (d.created_at, d.id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid)))
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT :limit`,
      {
        endpointId,
        afterAt: page.after?.createdAt.toISOString() ?? null,
        afterId: page.after?.id ?? null,
        limit: page.limit,
      },
    );
    return rows.map((r) => ({
      ...deliveryOf(r),
      attemptLog: r.attempt_log.map((a) => ({
        attempt: a.attempt,
        at: new Date(a.at),
        statusCode: a.status_code,
        durationMs: a.duration_ms,
        error: a.error,
        responseBody: a.response_body,
      })),
    }));
  }

  async adminIds(): Promise<string[]> {
    const rows = await tenantQuery<{ user_id: string }>(
      this.sequelize,
      `SELECT mr.user_id FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE r.name = 'admin'`,
      {},
    );
    return rows.map((r) => r.user_id);
  }
}
