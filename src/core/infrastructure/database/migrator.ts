import path from 'node:path';
import { type QueryInterface, type Sequelize, type Transaction } from 'sequelize';
import { SequelizeStorage, Umzug, type MigrationParams } from 'umzug';
import type { Logger } from '../../logger';

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
  /** The schema the migration applies to ("public", or a tenant's). */
  schema: string;
}

export type Migration = (params: MigrationParams<MigrationContext>) => Promise<void>;

interface MigrationModule {
  up: Migration;
  down?: Migration;
}

export interface MigratorOptions {
  sequelize: Sequelize;
  /** Folder of migration files (compiled .js in dist, .ts under ts-jest/swc). */
  directory: string;
  schema: string;
  tableName: string;
  logger: Logger;
}

export const PUBLIC_MIGRATIONS_DIR = path.resolve(__dirname, '../../../../migrations');

export function createMigrator(options: MigratorOptions): Umzug<MigrationContext> {
  const { sequelize, schema, logger } = options;
  return new Umzug<MigrationContext>({
    migrations: {
      glob: ['*.{js,ts}', { cwd: options.directory, ignore: ['*.d.ts', '*.test.ts', '*.map'] }],
      // Our own require, so the same code loads .js from dist and .ts under the test transformer.
      resolve: ({ name, path: file, context }) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const migration = require(file as string) as MigrationModule;
        return {
          name: name.replace(/\.(js|ts)$/, ''),
          up: async () => migration.up({ name, path: file, context }),
          down: async () => {
            if (!migration.down) throw new Error(`Migration ${name} cannot be undone`);
            await migration.down({ name, path: file, context });
          },
        };
      },
    },
    context: { queryInterface: sequelize.getQueryInterface(), sequelize, schema },
    storage: new SequelizeStorage({ sequelize, schema, tableName: options.tableName }),
    logger: {
      info: (event) => logger.info(event, 'migration'),
      warn: (event) => logger.warn(event, 'migration'),
      error: (event) => logger.error(event, 'migration'),
      debug: (event) => logger.debug(event, 'migration'),
    },
  });
}

export function createPublicMigrator(sequelize: Sequelize, logger: Logger): Umzug<MigrationContext> {
  return createMigrator({
    sequelize,
    directory: PUBLIC_MIGRATIONS_DIR,
    schema: 'public',
    tableName: 'schema_migrations',
    logger,
  });
}

/**
 * Runs fn while holding a transaction-scoped advisory lock, so two instances starting at once
 * do not both apply the same migration. The lock dies with the transaction, even on a crash.
 */
export async function withMigrationLock<T>(sequelize: Sequelize, key: string, fn: () => Promise<T>): Promise<T> {
  return sequelize.transaction(async (transaction: Transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(hashtext(:key))', { replacements: { key }, transaction });
    return fn();
  });
}
