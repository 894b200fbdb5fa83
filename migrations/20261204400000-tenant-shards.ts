import type { Migration } from '../src/core/infrastructure/database/migrator';

/**
 * The directory records which database holds each tenant's schema (ADR 0012): `shard` names one
 * of TENANT_DATABASES, or `main`. `moving_to` is set while `tenant:move` copies the tenant to
 * another database: its writes are refused with 503 until the switch.
 */
export const up: Migration = async ({ context: { query } }) => {
  await query(`ALTER TABLE public.workspaces
    ADD COLUMN shard text NOT NULL DEFAULT 'main' CHECK (shard ~ '^[a-z][a-z0-9_]{0,29}$'),
    ADD COLUMN moving_to text CHECK (moving_to ~ '^[a-z][a-z0-9_]{0,29}$')`);
};

export const down: Migration = async ({ context: { query } }) => {
  await query('ALTER TABLE public.workspaces DROP COLUMN moving_to, DROP COLUMN shard');
};
