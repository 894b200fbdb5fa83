import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { startEmbeddedPostgres } from '../../src/core/infrastructure/database/embedded-postgres';
import { createPublicMigrator } from '../../src/core/infrastructure/database/migrator';
import { createLogger } from '../../src/core/logger';
import { buildDist, freePort } from '../support/processes';

/**
 * Uses DATABASE_URL when given (CI: the machine's PostgreSQL), else the same embedded PostgreSQL
 * the app falls back to, in a throwaway directory. Refuses any database whose name lacks "test",
 * then resets it and applies the public migrations once for the whole run. Meanwhile it compiles
 * dist/ once for the suites that run the compiled server and scripts (tests/e2e).
 */
export default async function globalSetup(): Promise<void> {
  const built = buildDist();
  // Awaited below; a failure before then must not also leave an unhandled rejection.
  built.catch(() => undefined);
  await prepareDatabase();
  await built;
}

async function prepareDatabase(): Promise<void> {
  const logger = createLogger({ env: 'test', log: { level: 'warn' } });
  if (!process.env.DATABASE_URL) {
    // The postgres OS user must be able to enter the directory, so it is not left at mkdtemp's 0700.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-api-test-'));
    fs.chmodSync(root, 0o755);
    const embedded = await startEmbeddedPostgres({
      dir: path.join(root, 'pg'),
      port: await freePort(),
      database: 'tenant_api_test',
      logger,
      persistent: false,
    });
    (globalThis as { __EMBEDDED_PG__?: unknown }).__EMBEDDED_PG__ = { embedded, root };
    process.env.DATABASE_URL = embedded.url;
  }
  const url = new URL(process.env.DATABASE_URL);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!database.includes('test')) {
    throw new Error(`Refusing to run tests against database "${database}": its name must contain "test"`);
  }
  const sequelize = new Sequelize(process.env.DATABASE_URL, { logging: false });
  try {
    const schemas = await sequelize.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'",
      { type: QueryTypes.SELECT },
    );
    for (const { nspname } of schemas) await sequelize.query(`DROP SCHEMA "${nspname}" CASCADE`);
    // Every queue is a partition of pgboss.job (each test server has its own queues): dropping
    // hundreds at once in one statement can exhaust the lock table ("out of shared memory").
    // Tables only: pg_inherits also lists the partitions' primary-key indexes (relkind 'i'),
    // which DROP TABLE refuses when it reaches one before its table.
    const partitions = await sequelize.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgboss' AND c.relkind IN ('r', 'p')`,
      { type: QueryTypes.SELECT },
    );
    for (const { relname } of partitions) {
      await sequelize.query(`DROP TABLE IF EXISTS pgboss."${relname.replace(/"/g, '""')}" CASCADE`);
    }
    await sequelize.query('DROP SCHEMA IF EXISTS pgboss CASCADE');
    await sequelize.query('DROP SCHEMA IF EXISTS public CASCADE');
    await sequelize.query('CREATE SCHEMA public');
    await createPublicMigrator(sequelize, logger).up();
  } finally {
    await sequelize.close();
  }
}
