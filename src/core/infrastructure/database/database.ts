import type { Sequelize } from 'sequelize';
import type { Config } from '../../config/config';
import type { Logger } from '../../logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { createPublicMigrator, withMigrationLock } from './migrator';
import { createSequelize } from './sequelize';

export interface Database {
  sequelize: Sequelize;
  /** True when this process started its own embedded PostgreSQL. */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects to the configured PostgreSQL, or starts the embedded one when none is configured.
 * Used by the server and by every admin script, so both reach the same database.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.database.url;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      ...config.database.embedded,
      database: config.env === 'test' ? 'tenant_api_test' : 'tenant_api',
      logger,
      persistent: true,
    });
    url = embedded.url;
  }
  const sequelize = createSequelize(url, config.database);
  const close = async () => {
    await sequelize.close();
    await embedded?.stop();
  };
  try {
    await sequelize.authenticate();
  } catch (err) {
    await close();
    throw err;
  }
  return { sequelize, embedded: embedded !== null, close };
}

/** Applies pending public migrations under an advisory lock; returns the names applied. */
export async function migratePublicSchema(sequelize: Sequelize, logger: Logger): Promise<string[]> {
  const applied = await withMigrationLock(sequelize, 'public-migrations', () =>
    createPublicMigrator(sequelize, logger).up(),
  );
  return applied.map((m) => m.name);
}
