import { Sequelize } from 'sequelize';
import { loadConfig } from '../../src/core/config/config';
import { migratePublicSchema, openDatabase } from '../../src/core/infrastructure/database/database';
import { withMigrationLock } from '../../src/core/infrastructure/database/migrator';
import {
  createSequelize,
  noteTenantDdl,
  TENANT_DDL_TRANSACTIONS_PER_CONNECTION,
} from '../../src/core/infrastructure/database/sequelize';
import { createLogger } from '../../src/core/logger';

const logger = createLogger({ env: 'test', log: { level: 'silent' } });

describe('database', () => {
  test('when DATABASE_URL is configured, then openDatabase connects to it without an embedded server', async () => {
    const db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL }), logger);
    try {
      expect(db.embedded).toBe(false);
      const [[row]] = (await db.sequelize.query('SELECT current_database() AS name')) as [[{ name: string }], unknown];
      expect(row.name).toContain('test');
    } finally {
      await db.close();
    }
  });

  test('when the database cannot be reached, then openDatabase rejects with a connection error', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    await expect(openDatabase(config, logger)).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  test('when the public schema is already migrated, then migrating again applies nothing', async () => {
    const sequelize = new Sequelize(process.env.DATABASE_URL as string, { logging: false });
    try {
      await expect(migratePublicSchema(sequelize, logger)).resolves.toEqual([]);
    } finally {
      await sequelize.close();
    }
  });

  test('when two runs take the migration lock at once, then they run one after the other', async () => {
    const sequelize = new Sequelize(process.env.DATABASE_URL as string, { logging: false, pool: { max: 4 } });
    const timeline: string[] = [];
    const run = (name: string) =>
      withMigrationLock(sequelize, 'test-lock', async () => {
        timeline.push(`${name}:start`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        timeline.push(`${name}:end`);
      });
    try {
      await Promise.all([run('a'), run('b')]);
      expect(
        [timeline.slice(0, 2), timeline.slice(2)].map((pair) => pair[0]!.split(':')[0] === pair[1]!.split(':')[0]),
      ).toEqual([true, true]);
    } finally {
      await sequelize.close();
    }
  });

  test('when a pooled connection has carried many tenant-DDL transactions, then the pool replaces it at the next checkout', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL, DB_POOL_MAX: '1' });
    const sequelize = createSequelize(process.env.DATABASE_URL as string, config.database);
    const backend = async () => {
      const [[row]] = (await sequelize.query('SELECT pg_backend_pid() AS pid')) as [[{ pid: number }], unknown];
      return row.pid;
    };
    try {
      const first = await backend();
      for (let i = 1; i < TENANT_DDL_TRANSACTIONS_PER_CONNECTION; i++) {
        await sequelize.transaction(async (transaction) => noteTenantDdl(transaction));
      }
      // One short of the limit: still the same backend, so the count is per connection, not per call.
      expect(await backend()).toBe(first);
      await sequelize.transaction(async (transaction) => noteTenantDdl(transaction));
      const replaced = await backend();
      expect(replaced).not.toBe(first);
      // Ordinary use does not count: the new connection stays.
      await sequelize.transaction(async () => undefined);
      expect(await backend()).toBe(replaced);
    } finally {
      await sequelize.close();
    }
  });
});
