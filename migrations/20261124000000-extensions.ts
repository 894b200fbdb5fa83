import type { Migration } from '../src/core/infrastructure/database/migrator';

/** citext: case-insensitive unique emails. pg_trgm: indexed substring search on users. */
export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public');
  await sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('DROP EXTENSION IF EXISTS pg_trgm');
  await sequelize.query('DROP EXTENSION IF EXISTS citext');
};
