import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type QueryInterface, type Sequelize, type Transaction } from 'sequelize';
import type { SchemaName } from '../../domain/schema-name';
import { SequelizeStorage, Umzug, type MigrationParams, type UmzugStorage } from 'umzug';
import { UnitOfWork } from './unit-of-work';
import type { Logger } from '../../logger';

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
  /** The schema the migration applies to ("public", or a tenant's). */
  schema: string;
  /** Runs SQL in the current unit of work: tenant migrations run inside the tenant's transaction. */
  query: (sql: string, replacements?: Record<string, unknown>) => Promise<unknown>;
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
  /** Default: umzug's SequelizeStorage (its own connection, no transaction). */
  storage?: UmzugStorage;
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
    context: {
      queryInterface: sequelize.getQueryInterface(),
      sequelize,
      schema,
      query: (sql, replacements) => sequelize.query(sql, { replacements, transaction: UnitOfWork.current() }),
    },
    storage: options.storage ?? new SequelizeStorage({ sequelize, schema, tableName: options.tableName }),
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

export const TENANT_MIGRATIONS_DIR = path.resolve(__dirname, '../../../../tenants/migrations');

/**
 * Records applied tenant migrations in the tenant's own table, inside the current transaction,
 * so a tenant's migrations and their record commit or roll back together.
 */
class TenantMigrationStorage implements UmzugStorage {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly table: string,
  ) {}

  async executed(): Promise<string[]> {
    const transaction = UnitOfWork.current();
    await this.sequelize.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (name text PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now())`,
      { transaction },
    );
    const rows = await this.sequelize.query<{ name: string }>(`SELECT name FROM ${this.table} ORDER BY name`, {
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows.map((r) => r.name);
  }

  async logMigration({ name }: { name: string }): Promise<void> {
    await this.sequelize.query(`INSERT INTO ${this.table} (name) VALUES (:name)`, {
      replacements: { name },
      transaction: UnitOfWork.current(),
    });
  }

  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.sequelize.query(`DELETE FROM ${this.table} WHERE name = :name`, {
      replacements: { name },
      transaction: UnitOfWork.current(),
    });
  }
}

/** The migrations a folder holds, oldest first, by name (what umzug records). */
export function migrationNames(directory: string = TENANT_MIGRATIONS_DIR): string[] {
  return fs
    .readdirSync(directory)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.replace(/\.(js|ts)$/, ''))
    .sort();
}

/** Migrates one tenant schema; run it inside UnitOfWork.runInTenant for that schema. */
export function createTenantMigrator(
  sequelize: Sequelize,
  schema: SchemaName,
  logger: Logger,
  directory: string = TENANT_MIGRATIONS_DIR,
): Umzug<MigrationContext> {
  return createMigrator({
    sequelize,
    directory,
    schema: schema.value,
    tableName: 'schema_migrations',
    logger,
    storage: new TenantMigrationStorage(sequelize, `${schema.quoted}.schema_migrations`),
  });
}
