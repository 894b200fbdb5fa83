import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type QueryInterface, type Sequelize, type Transaction } from 'sequelize';
import type { SchemaName } from '../../domain/schema-name';
import { Umzug, type MigrationParams, type UmzugStorage } from 'umzug';
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
  /** Default: a table in `schema` (the layout umzug's SequelizeStorage made), written in the current unit of work if any. */
  storage?: UmzugStorage;
}

export const PUBLIC_MIGRATIONS_DIR = path.resolve(__dirname, '../../../../migrations');

export function createMigrator(options: MigratorOptions): Umzug<MigrationContext> {
  const { sequelize, schema, logger } = options;
  return new Umzug<MigrationContext>({
    // The folder is listed once per process: a fleet run builds one migrator per tenant, and a
    // glob and a require per tenant were most of its CPU. A release's folder does not change.
    migrations: migrationFiles(options.directory).map(({ name, file }) => ({
      name,
      path: file,
      up: async ({ context }) => loadMigration(file).up({ name, path: file, context }),
      down: async ({ context }) => {
        const migration = loadMigration(file);
        if (!migration.down) throw new Error(`Migration ${name} cannot be undone`);
        await migration.down({ name, path: file, context });
      },
    })),
    context: {
      queryInterface: sequelize.getQueryInterface(),
      sequelize,
      schema,
      query: (sql, replacements) => sequelize.query(sql, { replacements, transaction: UnitOfWork.tenant() }),
    },
    storage:
      options.storage ??
      new SqlMigrationStorage(
        sequelize,
        `${quote(schema)}.${quote(options.tableName)}`,
        'name varchar(255) PRIMARY KEY',
      ),
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

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Records applied migrations in a table, inside the current unit of work when there is one: a
 * tenant's migrations and their record commit or roll back together. Two statements, where umzug's
 * SequelizeStorage asked information_schema whether the table exists and described its indexes
 * first (about a second per start on a database of 10,000 tenants and 440,000 relations).
 */
class SqlMigrationStorage implements UmzugStorage {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly table: string,
    private readonly columns: string,
  ) {}

  async executed(): Promise<string[]> {
    const transaction = UnitOfWork.tenant();
    await this.sequelize.query(`CREATE TABLE IF NOT EXISTS ${this.table} (${this.columns})`, { transaction });
    const rows = await this.sequelize.query<{ name: string }>(`SELECT name FROM ${this.table} ORDER BY name`, {
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows.map((r) => r.name);
  }

  async logMigration({ name }: { name: string }): Promise<void> {
    await this.sequelize.query(`INSERT INTO ${this.table} (name) VALUES (:name)`, {
      replacements: { name },
      transaction: UnitOfWork.tenant(),
    });
  }

  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.sequelize.query(`DELETE FROM ${this.table} WHERE name = :name`, {
      replacements: { name },
      transaction: UnitOfWork.tenant(),
    });
  }
}

const listed = new Map<string, { name: string; file: string }[]>();

/** The migration files of a folder, oldest first by name (what umzug records), listed once per process. */
function migrationFiles(directory: string): { name: string; file: string }[] {
  let files = listed.get(directory);
  if (!files) {
    files = fs
      .readdirSync(directory)
      .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
      .sort()
      .map((f) => ({ name: f.replace(/\.(js|ts)$/, ''), file: path.join(directory, f) }));
    listed.set(directory, files);
  }
  return files;
}

/** Our own require, so the same code loads .js from dist and .ts under the test transformer. */
function loadMigration(file: string): MigrationModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as MigrationModule;
}

/** The migrations a folder holds, oldest first, by name (what umzug records). */
export function migrationNames(directory: string = TENANT_MIGRATIONS_DIR): string[] {
  return migrationFiles(directory).map((m) => m.name);
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
    storage: new SqlMigrationStorage(
      sequelize,
      `${schema.quoted}.schema_migrations`,
      'name text PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now()',
    ),
  });
}
