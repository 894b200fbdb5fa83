import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import { Container, type ContainerInstance } from 'typedi';
import type { Config } from '../config/config';
import { systemClock } from '../domain/clock';
import { docsRoutes } from '../http/docs.routes';
import { healthRoutes, type HealthCheck } from '../http/health.routes';
import { metricsRoutes } from '../http/metrics.routes';
import { RouteRegistry, type Guards } from '../http/route-registry';
import { Shards } from '../infrastructure/database/shards';
import { UnitOfWork } from '../infrastructure/database/unit-of-work';
import { emailDeliveryHandler, emailSealer, EMAIL_JOB, OutboxMailer } from '../infrastructure/email/outbox-mailer';
import { createEmailTransport } from '../infrastructure/email/nodemailer-transport';
import { PgBossOutbox } from '../infrastructure/jobs/pg-boss-outbox';
import { JobReceipts } from '../infrastructure/jobs/receipts';
import { MemoryCache } from '../infrastructure/cache/memory-cache';
import { FailSoftCache } from '../infrastructure/cache/fail-soft-cache';
import { RedisCache } from '../infrastructure/cache/redis-cache';
import type { Cache } from '../infrastructure/cache/cache';
import { DecisionCache } from '../infrastructure/cache/decision-cache';
import { NearCache } from '../infrastructure/cache/near-cache';
import { RedisInvalidationFeed } from '../infrastructure/cache/redis-invalidation-feed';
import { pingRedis } from '../infrastructure/cache/redis';
import { pingDatabase } from '../infrastructure/database/sequelize';
import { EventBus } from '../infrastructure/events/event-bus';
import { Metrics } from '../infrastructure/metrics/metrics';
import { SocketServer } from '../infrastructure/websocket/socket-server';
import type { Logger } from '../logger';
import type { AppModule } from './module';
import { TOKENS } from './tokens';

export { TOKENS } from './tokens';

export interface Infrastructure {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  /** The tenant databases (TENANT_DATABASES); only the main one when absent. */
  shards?: Shards;
  redis: Redis | null;
}

/** A job runs again only while it is retried or expires (hours at most); its receipts are kept a month. */
const RECEIPT_RETENTION_MS = 30 * 86_400_000;

/**
 * The one composition root. Each server instance gets its own scoped container, so two
 * instances in one process (tests, benchmarks) never share singletons.
 */
export function createContainer(infra: Infrastructure, modules: AppModule[]): ContainerInstance {
  const { config, logger, sequelize, redis } = infra;
  const shards = infra.shards ?? Shards.single(sequelize);
  const container = Container.of(randomUUID());
  container.set(TOKENS.config, config);
  container.set(TOKENS.logger, logger);
  container.set(TOKENS.sequelize, sequelize);
  container.set(TOKENS.shards, shards);
  container.set(TOKENS.redis, redis);
  const { cache, decisions } = createCaches(config, redis, logger);
  container.set(TOKENS.cache, cache);
  container.set(TOKENS.decisions, decisions);
  container.set(TOKENS.clock, systemClock);
  const transactions = new UnitOfWork(shards, (outcome, seconds) => metrics.tenantTransaction(outcome, seconds));
  const outbox = new PgBossOutbox(shards, config.jobs, logger, (type) => metrics.jobFailed(type));
  const receipts = new JobReceipts(shards, transactions);
  const sealer = emailSealer(config.auth.refreshTokenSecret);
  outbox.handle(EMAIL_JOB, emailDeliveryHandler(receipts, createEmailTransport(config.email, logger), sealer));
  outbox.every('outbox.purge-receipts', '23 3 * * *', async () => {
    const purged = await receipts.purge(new Date(Date.now() - RECEIPT_RETENTION_MS));
    logger.info({ purged }, 'old job receipts purged');
  });
  const sockets = new SocketServer(
    {
      corsOrigins: config.sockets.corsOrigins,
      channelPrefix: config.redis?.keyPrefix ?? '',
      websocketOnly: config.http.workers > 1,
    },
    redis,
    logger,
  );
  const metrics = new Metrics({
    sequelize,
    sockets: () => new Map([...sockets.io._nsps].map(([name, nsp]) => [name, nsp.sockets.size])),
    outbox: () => outbox.status().then((status) => status.queues),
    nearCache: () => decisions.stats(),
  });
  container.set(TOKENS.metrics, metrics);
  container.set(TOKENS.jobs, outbox);
  container.set(TOKENS.receipts, receipts);
  container.set(TOKENS.eventBus, new EventBus(outbox));
  container.set(TOKENS.transactions, transactions);
  container.set(TOKENS.mailer, new OutboxMailer(outbox, sealer));
  container.set(TOKENS.guards, { auth: {} } satisfies Guards);
  container.set(TOKENS.sockets, sockets);

  modules.forEach((module) => module.register?.(container));

  const checks: HealthCheck[] = [{ name: 'database', check: () => pingDatabase(sequelize) }];
  // Each extra tenant database: its tenants are unreachable while it is down, the others are not.
  for (const shard of shards.all().slice(1)) {
    checks.push({ name: `database:${shard.name}`, check: () => pingDatabase(shard.sequelize), critical: false });
  }
  if (redis) checks.push({ name: 'redis', check: () => pingRedis(redis) });
  const registry = new RouteRegistry(
    config.api.basePath,
    {
      title: 'Tenant API',
      version: config.api.version,
      description: 'Multi-tenant REST API with schema-per-tenant PostgreSQL isolation.',
    },
    // Every response of every test is then also checked against zod's parse.
    { verifyResponses: config.env === 'test' },
  );
  registry.add(
    ...healthRoutes(checks, logger),
    ...docsRoutes(registry, config.api.prefix, config.api.basePath),
    ...metricsRoutes(metrics, config.metrics.token),
    ...modules.flatMap((module) => module.routes(container)),
  );
  container.set(TOKENS.routes, registry);

  modules.forEach((module) => module.subscribe?.(container));
  return container;
}

/**
 * Redis down: the API keeps serving from the database (FailSoftCache) and readiness says so.
 * With Redis, request-path decisions also live in process (NearCache) while the invalidation
 * feed is up; without Redis the memory cache is in process already.
 */
function createCaches(config: Config, redis: Redis | null, logger: Logger): { cache: Cache; decisions: DecisionCache } {
  if (!redis || !config.redis) {
    const memory = new MemoryCache();
    return { cache: memory, decisions: new DecisionCache(memory) };
  }
  let near: NearCache | null = null;
  const cache = new FailSoftCache(new RedisCache(redis), logger, Date.now, () => near?.forget());
  if (config.redis.nearCacheMaxEntries === 0) return { cache, decisions: new DecisionCache(cache) };
  near = new NearCache(config.redis.nearCacheMaxEntries, () => cache.trusted);
  const feed = new RedisInvalidationFeed(redis, `${config.redis.keyPrefix}cache:invalidations`, near, logger);
  feed.start();
  return { cache, decisions: new DecisionCache(cache, near, feed) };
}

export function disposeContainer(container: ContainerInstance): void {
  Container.reset(container.id);
}
