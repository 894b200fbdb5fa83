import type { Sequelize } from 'sequelize';
import type { Config } from '../../config/config';
import type { Logger } from '../../logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { createPublicMigrator, withMigrationLock } from './migrator';
import { createSequelize } from './sequelize';
import { Shards } from './shards';

export interface Database {
  sequelize: Sequelize;
  /** The main database and the extra tenant databases (TENANT_DATABASES), each with its pool. */
  shards: Shards;
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
  let shards: Shards | null = null;
  const close = async () => {
    await shards?.close();
    await sequelize.close();
    await embedded?.stop();
  };
  try {
    await sequelize.authenticate();
    shards = await Shards.open(sequelize, config.database);
  } catch (err) {
    await close();
    throw err;
  }
  return { sequelize, shards, embedded: embedded !== null, close };
}

/**
 * Applies pending public migrations under an advisory lock, then brings the extra tenant
 * databases' public schema up to date (Shards.prepare); returns the names applied.
 */
export async function migratePublicSchema(sequelize: Sequelize, logger: Logger, shards?: Shards): Promise<string[]> {
  const applied = await withMigrationLock(sequelize, 'public-migrations', () =>
    createPublicMigrator(sequelize, logger).up(),
  );
  await shards?.prepare(logger);
  return applied.map((m) => m.name);
}
