import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { ContainerInstance } from 'typedi';
import { createApp } from './core/bootstrap/app';
import { createContainer, disposeContainer, TOKENS } from './core/bootstrap/container';
import type { AppModule } from './core/bootstrap/module';
import { APP_MODULES } from './core/bootstrap/modules';
import type { Config } from './core/config/config';
import { closeRedis, connectRedis } from './core/infrastructure/cache/redis';
import { migratePublicSchema, openDatabase, type Database } from './core/infrastructure/database/database';
import { createLogger, type Logger } from './core/logger';

export interface RunningServer {
  url: string;
  port: number;
  /** Where Socket.IO clients connect: the HTTP port, or SOCKET_PORT when set. */
  socketUrl: string;
  /** The Prometheus endpoint on METRICS_PORT, when set. */
  metricsUrl: string | null;
  container: ContainerInstance;
  stop(): Promise<void>;
}

export interface StartOptions {
  modules?: AppModule[];
  logger?: Logger;
  /** Replaces bindings before the app is built (tests: a fake clock, a failing adapter). */
  configure?: (container: ContainerInstance) => void;
}

/** Resources opened so far, closed in reverse order by stop() or by a failed start. */
class Resources {
  database: Database | null = null;
  redis: Redis | null = null;
  container: ContainerInstance | null = null;

  async close(): Promise<void> {
    if (this.container) {
      // Running jobs may still write to the database and send mail: let them finish first.
      await this.container.get(TOKENS.jobs).stop(5_000);
      await this.container.get(TOKENS.sockets).close();
      await this.container.get(TOKENS.decisions).close();
      disposeContainer(this.container);
    }
    if (this.redis) await closeRedis(this.redis);
    await this.database?.close();
  }
}

export interface Runtime {
  container: ContainerInstance;
  logger: Logger;
  /** Drains background work and closes Redis, the pool and the embedded PostgreSQL. */
  close(): Promise<void>;
}

/**
 * Everything but HTTP, in order: database (embedded when none is configured) and public
 * migrations, Redis, the container. The server and the admin scripts start the same way.
 */
export async function openRuntime(config: Config, options: StartOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config);
  config.warnings.forEach((warning) => logger.warn(warning));
  const resources = new Resources();
  try {
    resources.database = await openDatabase(config, logger);
    const { sequelize, shards } = resources.database;
    if (config.database.migrateOnStart) {
      logger.info({ applied: await migratePublicSchema(sequelize, logger, shards) }, 'public migrations up to date');
    } else await shards.prepare(logger);
    await shards.assertPlacesKnown();
    resources.redis = config.redis ? await connectRedis(config.redis, logger) : null;
    const container = createContainer(
      { config, logger, sequelize, shards, redis: resources.redis },
      options.modules ?? APP_MODULES,
    );
    resources.container = container;
    options.configure?.(container);
    // The outbox's tables and queues exist before anything can enqueue (scripts enqueue too).
    await container.get(TOKENS.jobs).start();
    for (const module of options.modules ?? APP_MODULES) await module.onStart?.(container);
    return { container, logger, close: () => resources.close() };
  } catch (err) {
    await resources.close().catch((closeErr) => logger.error({ err: closeErr }, 'cleanup after failed start'));
    throw err;
  }
}

/** The runtime plus HTTP. Nothing starts at import; the caller owns stop(). */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const runtime = await openRuntime(config, options);
  const { container, logger } = runtime;
  const listening: http.Server[] = [];
  try {
    const handle = createApp(container).callback();
    const server = http.createServer((req, res) => void handle(req, res));
    listening.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    // Socket.IO shares the HTTP server, or gets its own when SOCKET_PORT is set.
    const socketHttp = config.sockets.port === null ? server : http.createServer();
    if (socketHttp !== server) {
      listening.push(socketHttp);
      await new Promise<void>((resolve, reject) => {
        socketHttp.once('error', reject);
        socketHttp.listen(config.sockets.port ?? 0, config.http.host, resolve);
      });
    }
    await container.get(TOKENS.sockets).attach(socketHttp);
    // WORKERS=inline: this process also runs the outbox (none: `npm run worker` processes do).
    if (config.jobs.workers === 'inline') container.get(TOKENS.jobs).startWorkers();
    // Prometheus on its own port, kept off the public one.
    let metricsUrl: string | null = null;
    if (config.metrics.port !== null) {
      const metrics = container.get(TOKENS.metrics);
      const metricsHttp = http.createServer((_req, res) => {
        void metrics.render().then(
          (body) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(body),
          (err: Error) => {
            logger.error({ err }, 'metrics rendering failed');
            res.writeHead(500).end();
          },
        );
      });
      listening.push(metricsHttp);
      await new Promise<void>((resolve, reject) => {
        metricsHttp.once('error', reject);
        metricsHttp.listen(config.metrics.port ?? 0, config.http.host, resolve);
      });
      metricsUrl = `http://127.0.0.1:${(metricsHttp.address() as AddressInfo).port}/metrics`;
    }
    const socketPort = (socketHttp.address() as AddressInfo).port;
    logger.info(
      { port, socketPort, database: config.database.url ? 'external' : 'embedded', redis: Boolean(config.redis) },
      'listening',
    );

    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        // Stop accepting first; sockets are long-lived, so they are closed rather than awaited.
        const httpClosed = closeHttp(server, config.http.shutdownTimeoutMs, logger);
        await container.get(TOKENS.sockets).close();
        await httpClosed;
        for (const other of listening.filter((s) => s !== server))
          await closeHttp(other, config.http.shutdownTimeoutMs, logger);
        await runtime.close();
        logger.info('stopped');
      })();
      return stopping;
    };
    return {
      url: `http://127.0.0.1:${port}`,
      socketUrl: `http://127.0.0.1:${socketPort}`,
      metricsUrl,
      port,
      container,
      stop,
    };
  } catch (err) {
    // A failure after listening (the socket adapter's Redis, SOCKET_PORT taken) must not leave a port bound.
    await Promise.all(listening.filter((s) => s.listening).map((s) => new Promise((resolve) => s.close(resolve))));
    await runtime.close();
    throw err;
  }
}

/** Stops accepting, lets in-flight requests finish, then cuts what is left after the bound. */
async function closeHttp(server: http.Server, timeoutMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A keep-alive connection whose request was in flight stays open once answered, and close()
  // would wait for the client to end it or for keepAliveTimeout (5 s): end each once it is idle.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => {
    logger.warn({ timeoutMs }, 'shutdown timeout: closing remaining connections');
    server.closeAllConnections();
  }, timeoutMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(timer);
}

/**
 * SIGTERM or SIGINT stop the process gracefully with exit code 0 (1 if stopping failed): the
 * entry points (`npm start`, `npm run worker`) share it.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    stop().then(
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
