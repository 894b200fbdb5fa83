import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { ContainerInstance } from 'typedi';
import { createApp } from './core/bootstrap/app';
import { createContainer, disposeContainer, TOKENS } from './core/bootstrap/container';
import type { AppModule } from './core/bootstrap/module';
import { APP_MODULES } from './core/bootstrap/modules';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './core/config/config';
import { connectRedis } from './core/infrastructure/cache/redis';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './core/infrastructure/database/embedded-postgres';
import { createPublicMigrator, withMigrationLock } from './core/infrastructure/database/migrator';
import { createSequelize } from './core/infrastructure/database/sequelize';
import { createLogger, type Logger } from './core/logger';

export interface RunningServer {
  url: string;
  port: number;
  container: ContainerInstance;
  stop(): Promise<void>;
}

export interface StartOptions {
  modules?: AppModule[];
  logger?: Logger;
}

/** Resources opened so far, closed in reverse order by stop() or by a failed start. */
class Resources {
  embedded: EmbeddedDatabase | null = null;
  sequelize: Sequelize | null = null;
  redis: Redis | null = null;
  container: ContainerInstance | null = null;

  async close(): Promise<void> {
    if (this.container) disposeContainer(this.container);
    await this.redis?.quit().catch(() => this.redis?.disconnect());
    await this.sequelize?.close();
    await this.embedded?.stop();
  }
}

async function openDatabase(config: Config, logger: Logger, resources: Resources): Promise<Sequelize> {
  let url = config.database.url;
  if (!url) {
    resources.embedded = await startEmbeddedPostgres({
      ...config.database.embedded,
      database: config.env === 'test' ? 'tenant_api_test' : 'tenant_api',
      logger,
      persistent: true,
    });
    url = resources.embedded.url;
  }
  const sequelize = createSequelize(url, config.database, logger);
  resources.sequelize = sequelize;
  await sequelize.authenticate();
  if (config.database.migrateOnStart) {
    const applied = await withMigrationLock(sequelize, 'public-migrations', () =>
      createPublicMigrator(sequelize, logger).up(),
    );
    logger.info({ applied: applied.map((m) => m.name) }, 'public migrations up to date');
  }
  return sequelize;
}

/**
 * The start-up steps in order: database (embedded when none is configured) and migrations,
 * Redis, container, HTTP. Nothing starts at import; the caller owns stop().
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  config.warnings.forEach((warning) => logger.warn(warning));
  const resources = new Resources();
  try {
    const sequelize = await openDatabase(config, logger, resources);
    resources.redis = config.redis ? await connectRedis(config.redis, logger) : null;
    const container = createContainer(
      { config, logger, sequelize, redis: resources.redis },
      options.modules ?? APP_MODULES,
    );
    resources.container = container;
    const server = http.createServer(createApp(container).callback());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    logger.info({ port, database: resources.embedded ? 'embedded' : 'external', redis: Boolean(resources.redis) }, 'listening');

    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        container.get(TOKENS.lifecycle).shuttingDown = true;
        await closeHttp(server, config.http.shutdownTimeoutMs, logger);
        await resources.close();
        logger.info('stopped');
      })();
      return stopping;
    };
    return { url: `http://127.0.0.1:${port}`, port, container, stop };
  } catch (err) {
    await resources.close().catch((closeErr) => logger.error({ err: closeErr }, 'cleanup after failed start'));
    throw err;
  }
}

/** Stops accepting, lets in-flight requests finish, then cuts what is left after the bound. */
async function closeHttp(server: http.Server, timeoutMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    logger.warn({ timeoutMs }, 'shutdown timeout: closing remaining connections');
    server.closeAllConnections();
  }, timeoutMs);
  await closed;
  clearTimeout(timer);
}

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

if (require.main === module) void main();
