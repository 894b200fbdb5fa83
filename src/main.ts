import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './core/config/config';
import { startEmbeddedPostgres } from './core/infrastructure/database/embedded-postgres';
import { createLogger, type Logger } from './core/logger';
import { startServer, stopOnSignals, type RunningServer } from './server';

/**
 * The process entry point (npm start, Docker CMD): reads the configuration, starts the server,
 * and turns SIGTERM/SIGINT into a graceful stop with exit code 0. A bad configuration exits 1
 * before anything starts. With WEB_CONCURRENCY > 1 this process becomes the primary of that many
 * workers sharing the port (node:cluster); each worker runs the same server.
 */
async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  if (config.http.workers > 1 && cluster.isPrimary) {
    await runPrimary(config, logger);
    return;
  }
  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  stopOnSignals(logger, () => running.stop());
}

/**
 * Forks the workers and keeps them running: one that dies unexpectedly is replaced; SIGTERM or
 * SIGINT stops them all gracefully, then the primary exits. Without a configured database the
 * primary owns the one embedded PostgreSQL the workers share.
 */
async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres({
        ...config.database.embedded,
        database: config.env === 'test' ? 'tenant_api_test' : 'tenant_api',
        logger,
        persistent: true,
      });
  // Workers must share what would otherwise differ per process: the database, and secrets that
  // were generated because none was configured (a token signed by one worker is checked by another).
  const env: Record<string, string> = {
    ...(embedded ? { DATABASE_URL: embedded.url } : {}),
    ...(process.env.JWT_SECRET ? {} : { JWT_SECRET: config.auth.jwtSecret }),
    ...(process.env.REFRESH_TOKEN_SECRET ? {} : { REFRESH_TOKEN_SECRET: config.auth.refreshTokenSecret }),
    ...(process.env.DATA_ENCRYPTION_KEY ? {} : { DATA_ENCRYPTION_KEY: config.auth.dataEncryptionKey }),
  };
  let stopping = false;
  const fork = () => cluster.fork(env);
  // A worker that cannot start (database unreachable) must not be re-forked in a tight loop:
  // too many deaths in a short time stop the whole service with exit code 1.
  const deaths: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - 60_000) deaths.shift();
    if (deaths.length > 2 * config.http.workers) {
      logger.fatal({ deaths: deaths.length }, 'workers keep dying; stopping');
      shutdown('crash loop', 1);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another in 1 s');
    setTimeout(() => {
      if (!stopping) fork();
    }, 1_000);
  });
  for (let i = 0; i < config.http.workers; i++) fork();
  logger.info({ workers: config.http.workers, pid: process.pid }, 'primary started');

  function shutdown(signal: string, exitCode = 0): void {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    const exited = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
    workers.forEach((w) => w.process.kill('SIGTERM'));
    void Promise.all(exited)
      .then(() => embedded?.stop())
      .then(
        () => process.exit(exitCode),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
