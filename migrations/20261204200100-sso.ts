import type { Migration } from '../src/core/infrastructure/database/migrator';

/**
 * OIDC single sign-on per workspace. Public, not per tenant: a sign-in starts from an email
 * address, before any tenant is known, and the verified domain is what finds the workspace. The
 * client secret is stored sealed (AES-256-GCM under DATA_ENCRYPTION_KEY). A domain is verified by
 * at most one workspace at a time.
 */
export const up: Migration = async ({ context: { query } }) => {
  await query(`
    CREATE TABLE public.sso_connections (
      workspace_id uuid PRIMARY KEY REFERENCES public.workspaces (id) ON DELETE CASCADE,
      issuer text NOT NULL,
      client_id text NOT NULL,
      client_secret_sealed text NOT NULL,
      default_role text NOT NULL,
      require_sso boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await query(`
    CREATE TABLE public.sso_domains (
      workspace_id uuid NOT NULL REFERENCES public.workspaces (id) ON DELETE CASCADE,
      domain text NOT NULL CHECK (domain = lower(domain)),
      verification_token text NOT NULL,
      verified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, domain)
    )`);
  await query(
    'CREATE UNIQUE INDEX sso_domains_verified_key ON public.sso_domains (domain) WHERE verified_at IS NOT NULL',
  );
  await query(
    `INSERT INTO public.permissions (code, scope, description)
     VALUES ('sso.manage', 'workspace', 'Configure single sign-on and verify email domains')
     ON CONFLICT (code) DO NOTHING`,
  );
};

export const down: Migration = async ({ context: { query } }) => {
  await query('DROP TABLE public.sso_domains');
  await query('DROP TABLE public.sso_connections');
  await query("DELETE FROM public.permissions WHERE code = 'sso.manage'");
};
