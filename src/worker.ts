import 'reflect-metadata';
import { TOKENS } from './core/bootstrap/tokens';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './core/config/config';
import { createLogger } from './core/logger';
import { openRuntime, stopOnSignals } from './server';

/**
 * `npm run worker`: a process that runs the outbox's jobs and nothing else (no HTTP), for
 * deployments that keep side effects off the API processes (those then run with WORKERS=none).
 * It needs the API's PostgreSQL (an embedded one would be a second, empty database) and Redis
 * (its socket events reach the API processes' clients only through the Redis adapter).
 */
async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
    const missing = [
      config.database.url ? null : 'DATABASE_URL (or DB_HOST): the worker serves the API’s database',
      config.redis ? null : 'REDIS_URL (or REDIS_HOST): socket events reach the API’s clients through Redis',
      // Jobs read what the API sealed: queued mail (REFRESH_TOKEN_SECRET), secrets at rest (DATA_ENCRYPTION_KEY).
      ...config.auth.ephemeralSecrets
        .filter((name) => name !== 'JWT_SECRET')
        .map((name) => `${name}: the worker needs the API’s own (it reads what the API sealed with it)`),
    ].filter((problem) => problem !== null);
    if (missing.length > 0) throw new ConfigError(missing);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const runtime = await openRuntime(config, { logger }).catch((err: unknown) => {
    logger.fatal({ err }, 'worker start-up failed');
    process.exit(1);
  });
  const { container } = runtime;
  await container.get(TOKENS.sockets).connect();
  container.get(TOKENS.jobs).startWorkers();
  logger.info({ concurrency: config.jobs.concurrency, pid: process.pid }, 'worker started');
  stopOnSignals(logger, () => runtime.close());
}

void main();
