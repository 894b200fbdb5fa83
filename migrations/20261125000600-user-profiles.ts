import type { Migration } from '../src/core/infrastructure/database/migrator';

/**
 * Profiles (avatar, locale, time zone), indexed user search, and email-change tokens.
 * Search is `name ILIKE '%q%' OR email ILIKE '%q%'`: trigram GIN indexes serve it when pg_trgm is
 * installed (migration 0000 asks for it); without it, lower() btree indexes serve prefixes and sorts.
 */
export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query(`
    ALTER TABLE public.users
      ADD COLUMN avatar_url text,
      ADD COLUMN locale text,
      ADD COLUMN timezone text`);
  const [trgm] = await sequelize.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
  if (trgm.length > 0) {
    await sequelize.query('CREATE INDEX users_name_trgm_idx ON public.users USING gin (name gin_trgm_ops)');
    await sequelize.query('CREATE INDEX users_email_trgm_idx ON public.users USING gin ((email::text) gin_trgm_ops)');
  } else {
    await sequelize.query('CREATE INDEX users_name_lower_idx ON public.users (lower(name) text_pattern_ops)');
    await sequelize.query('CREATE INDEX users_email_lower_idx ON public.users (lower(email::text) text_pattern_ops)');
  }
  await sequelize.query('CREATE INDEX users_created_at_idx ON public.users (created_at) WHERE deleted_at IS NULL');
  await sequelize.query(`
    ALTER TABLE public.email_tokens
      ADD COLUMN new_email citext,
      DROP CONSTRAINT email_tokens_purpose_check,
      ADD CONSTRAINT email_tokens_purpose_check CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
      ADD CONSTRAINT email_tokens_change_has_email CHECK ((purpose = 'change_email') = (new_email IS NOT NULL))`);
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query("DELETE FROM public.email_tokens WHERE purpose = 'change_email'");
  await sequelize.query(`
    ALTER TABLE public.email_tokens
      DROP CONSTRAINT email_tokens_change_has_email,
      DROP CONSTRAINT email_tokens_purpose_check,
      ADD CONSTRAINT email_tokens_purpose_check CHECK (purpose IN ('verify_email', 'reset_password')),
      DROP COLUMN new_email`);
  for (const index of [
    'users_name_trgm_idx',
    'users_email_trgm_idx',
    'users_name_lower_idx',
    'users_email_lower_idx',
    'users_created_at_idx',
  ]) {
    await sequelize.query(`DROP INDEX IF EXISTS public.${index}`);
  }
  await sequelize.query('ALTER TABLE public.users DROP COLUMN avatar_url, DROP COLUMN locale, DROP COLUMN timezone');
};
