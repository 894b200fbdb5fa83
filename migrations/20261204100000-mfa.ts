import type { Migration } from '../src/core/infrastructure/database/migrator';

/**
 * TOTP second factor (#16). The seed is stored sealed with DATA_ENCRYPTION_KEY (AES-256-GCM), never
 * in clear; `last_used_step` is the RFC 6238 time step of the last accepted code, so a code is
 * accepted once. Recovery codes and MFA tokens are kept only as SHA-256 hashes.
 */
export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query(`
    CREATE TABLE public.mfa_totp (
      user_id uuid PRIMARY KEY REFERENCES public.users (id) ON DELETE CASCADE,
      secret_sealed text NOT NULL,
      enabled_at timestamptz,
      last_used_step bigint,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await sequelize.query(`
    CREATE TABLE public.mfa_recovery_codes (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, code_hash)
    )`);
  // The short-lived token between the password step and the code step of a sign-in.
  await sequelize.query(`
    CREATE TABLE public.mfa_challenges (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
  await sequelize.query('CREATE INDEX mfa_challenges_expires_at_idx ON public.mfa_challenges (expires_at)');
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('DROP TABLE public.mfa_challenges');
  await sequelize.query('DROP TABLE public.mfa_recovery_codes');
  await sequelize.query('DROP TABLE public.mfa_totp');
};
