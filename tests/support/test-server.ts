import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config/config';
import { startServer, type RunningServer, type StartOptions } from '../../src/server';

export type TestServer = RunningServer;

/**
 * Starts the real server (the same start-up path as production) on a free port against the
 * test database. Migrations already ran in globalSetup; the rate limit is lifted unless a test
 * sets it; each server gets its own Redis key prefix so tests never share counters, and its own outbox queues.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_MIGRATE_ON_START: 'false',
    DB_POOL_MAX: '4',
    RATE_LIMIT_MAX_REQUESTS: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    BCRYPT_ROUNDS: '4',
    EMAIL_TRANSPORT: 'file',
    EMAIL_OUTBOX_DIR: path.join(os.tmpdir(), 'tenant-api-test-outbox'),
    UPLOADS_DIR: path.join(os.tmpdir(), `tenant-api-test-uploads-${randomUUID()}`),
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    // Its own outbox queues: servers of one run share the database, never each other's jobs.
    JOBS_QUEUE_PREFIX: `t${randomUUID().replace(/-/g, '').slice(0, 16)}`,
    JOBS_RETRY_DELAY_S: '1',
    ...env,
  });
  return startServer(config, options);
}

/** The Redis URL of this run, or null where no Redis is available (then Redis variants do not run). */
export function testRedisUrl(): string | null {
  return process.env.REDIS_URL || null;
}
