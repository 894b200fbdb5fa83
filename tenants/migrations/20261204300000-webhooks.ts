import type { Migration } from '../../src/core/infrastructure/database/migrator';

/**
 * Outgoing webhooks (ADR 0015): the workspace's endpoints, each event's delivery to one of them,
 * and every attempt of a delivery. Secrets are stored sealed (AES-256-GCM, DATA_ENCRYPTION_KEY).
 * No column holds a user id (the audit trail says who created an endpoint).
 */
export const up: Migration = async ({ context: { query } }) => {
  await query(`
    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY,
      url text NOT NULL,
      description text NOT NULL DEFAULT '',
      event_types text[] NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      secret_sealed text NOT NULL,
      previous_secret_sealed text,
      previous_secret_expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
      event_type text NOT NULL,
      body text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      last_duration_ms integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- An endpoint's log, newest first (keyset pagination on created_at, id).
    CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
    CREATE TABLE webhook_attempts (
      id uuid PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      at timestamptz NOT NULL,
      status_code integer,
      duration_ms integer NOT NULL,
      error text,
      response_body text CHECK (octet_length(response_body) <= 1024)
    );
    CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt);
  `);
};

export const down: Migration = async ({ context: { query } }) => {
  await query('DROP TABLE webhook_attempts; DROP TABLE webhook_deliveries; DROP TABLE webhook_endpoints');
};
