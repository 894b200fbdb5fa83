import type { Migration } from '../src/core/infrastructure/database/migrator';

export const up: Migration = async ({ context: { sequelize } }) => {
  // A session is one refresh-token family: everything rotated from one login.
  await sequelize.query(`
    CREATE TABLE public.sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text,
      ip text,
      user_agent text
    )`);
  await sequelize.query('CREATE INDEX sessions_user_id_idx ON public.sessions (user_id) WHERE revoked_at IS NULL');
  await sequelize.query(`
    CREATE TABLE public.refresh_tokens (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES public.sessions (id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      replaced_by uuid,
      successor_sealed text
    )`);
  await sequelize.query('CREATE INDEX refresh_tokens_session_id_idx ON public.refresh_tokens (session_id)');
  // Single-use tokens sent by email (verify address, reset password); only their hash is kept.
  await sequelize.query(`
    CREATE TABLE public.email_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await sequelize.query('CREATE INDEX email_tokens_user_purpose_idx ON public.email_tokens (user_id, purpose)');
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('DROP TABLE public.email_tokens');
  await sequelize.query('DROP TABLE public.refresh_tokens');
  await sequelize.query('DROP TABLE public.sessions');
};
