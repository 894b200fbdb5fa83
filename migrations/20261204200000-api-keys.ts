import type { Migration } from '../src/core/infrastructure/database/migrator';

/**
 * Workspace API keys (service accounts). Public, not per tenant: a request carrying a key has no
 * tenant yet, and the key is what names it, so the lookup (by prefix, unique) must not need one.
 * Only the SHA-256 of the 256-bit secret is stored. role_ids name roles of the workspace's tenant
 * schema (no foreign key across schemas): a deleted role simply grants nothing any more.
 */
export const up: Migration = async ({ context: { query } }) => {
  await query(`
    CREATE TABLE public.api_keys (
      id uuid PRIMARY KEY,
      workspace_id uuid NOT NULL REFERENCES public.workspaces (id) ON DELETE CASCADE,
      prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{16}$'),
      secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
      name text NOT NULL,
      role_ids uuid[] NOT NULL,
      created_by uuid REFERENCES public.users (id) ON DELETE SET NULL,
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await query('CREATE INDEX api_keys_workspace_idx ON public.api_keys (workspace_id, created_at DESC)');
  await query(
    `INSERT INTO public.permissions (code, scope, description)
     VALUES ('apikeys.manage', 'workspace', 'Create, list and revoke the workspace API keys')
     ON CONFLICT (code) DO NOTHING`,
  );
};

export const down: Migration = async ({ context: { query } }) => {
  await query('DROP TABLE public.api_keys');
  await query("DELETE FROM public.permissions WHERE code = 'apikeys.manage'");
};
