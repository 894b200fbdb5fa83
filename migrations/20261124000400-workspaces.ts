import type { Migration } from '../src/core/infrastructure/database/migrator';

/** The tenant directory: which workspaces exist, where their schema is, and who belongs to which. */
export const up: Migration = async ({ context: { query } }) => {
  await query(`
    CREATE TABLE public.workspaces (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      slug text NOT NULL,
      schema_name text NOT NULL UNIQUE CHECK (schema_name ~ '^tenant_[0-9a-f]{32}$'),
      owner_id uuid NOT NULL REFERENCES public.users (id),
      status text NOT NULL DEFAULT 'provisioning' CHECK (status IN ('provisioning', 'active', 'suspended', 'deleted')),
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      -- The newest tenant migration applied to the schema: tenants:migrate skips up-to-date
      -- tenants with one query over the directory instead of one per schema.
      schema_version text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`);
  await query('CREATE UNIQUE INDEX workspaces_slug_live_key ON public.workspaces (slug) WHERE deleted_at IS NULL');
  await query(`
    CREATE TABLE public.workspace_memberships (
      workspace_id uuid NOT NULL REFERENCES public.workspaces (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, user_id)
    )`);
  await query(
    "CREATE INDEX workspace_memberships_user_idx ON public.workspace_memberships (user_id) WHERE status = 'active'",
  );
  // The workspace a new login starts in, and the one each session is scoped to (the token's wid).
  await query(
    'ALTER TABLE public.users ADD COLUMN last_workspace_id uuid REFERENCES public.workspaces (id) ON DELETE SET NULL',
  );
  await query(
    'ALTER TABLE public.sessions ADD COLUMN workspace_id uuid REFERENCES public.workspaces (id) ON DELETE SET NULL',
  );
};

export const down: Migration = async ({ context: { query } }) => {
  await query('ALTER TABLE public.sessions DROP COLUMN workspace_id');
  await query('ALTER TABLE public.users DROP COLUMN last_workspace_id');
  await query('DROP TABLE public.workspace_memberships');
  await query('DROP TABLE public.workspaces');
};
