import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Sequelize } from 'sequelize';
import { createPublicMigrator } from '../../src/core/infrastructure/database/migrator';
import { createLogger } from '../../src/core/logger';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own on the test server (its name extends the test database's, so it holds
 * "test"), with the public schema migrated: for fleet-wide operations that must not see, or
 * touch, the tenants other test files create at the same time, and for "a fresh database".
 * Without `migrate`, an empty database: an extra tenant database (TENANT_DATABASES) starts so.
 */
export async function scratchDatabase({ migrate = true }: { migrate?: boolean } = {}): Promise<ScratchDatabase> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `${decodeURIComponent(base.pathname.slice(1))}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  if (migrate) {
    const sequelize = new Sequelize(url.toString(), { logging: false });
    await createPublicMigrator(sequelize, createLogger({ env: 'test', log: { level: 'silent' } })).up();
    await sequelize.close();
  }
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
