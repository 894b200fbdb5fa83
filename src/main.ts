import 'reflect-metadata';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './core/config/config';
import { createLogger } from './core/logger';
import { startServer, type RunningServer } from './server';

/**
 * The process entry point (npm start, Docker CMD): reads the configuration, starts the server,
 * and turns SIGTERM/SIGINT into a graceful stop with exit code 0. A bad configuration exits 1
 * before anything starts.
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
  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
