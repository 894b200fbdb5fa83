import type { Migration } from '../src/core/infrastructure/database/migrator';

export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query(`
    CREATE TABLE public.users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email citext NOT NULL,
      password_hash text NOT NULL,
      name text NOT NULL,
      status text NOT NULL DEFAULT 'pending_verification'
        CHECK (status IN ('pending_verification', 'active', 'inactive', 'banned')),
      email_verified_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`);
  // Unique among live accounts only: a deleted user's address can be registered again.
  await sequelize.query('CREATE UNIQUE INDEX users_email_live_key ON public.users (email) WHERE deleted_at IS NULL');
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('DROP TABLE public.users');
};
