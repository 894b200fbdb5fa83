import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import { Token } from 'typedi';
import type { Config } from '../config/config';
import type { Clock } from '../domain/clock';
import type { Guards } from '../http/route-registry';
import type { RouteRegistry } from '../http/route-registry';
import type { Cache } from '../infrastructure/cache/cache';
import type { DecisionCache } from '../infrastructure/cache/decision-cache';
import type { Shards } from '../infrastructure/database/shards';
import type { TenantScopes } from '../infrastructure/database/unit-of-work';
import type { Mailer } from '../infrastructure/email/email';
import type { EventBus } from '../infrastructure/events/event-bus';
import type { PgBossOutbox } from '../infrastructure/jobs/pg-boss-outbox';
import type { JobReceipts } from '../infrastructure/jobs/receipts';
import type { Metrics } from '../infrastructure/metrics/metrics';
import type { SocketServer } from '../infrastructure/websocket/socket-server';
import type { Logger } from '../logger';

/** Tokens of what core provides to every module. Kept apart from container.ts to avoid import cycles. */
export const TOKENS = {
  config: new Token<Config>('Config'),
  logger: new Token<Logger>('Logger'),
  clock: new Token<Clock>('Clock'),
  sequelize: new Token<Sequelize>('Sequelize'),
  /** The databases that hold tenant schemas: the main one (`sequelize`) and TENANT_DATABASES. */
  shards: new Token<Shards>('Shards'),
  /** null when no Redis is configured. */
  redis: new Token<Redis | null>('Redis'),
  cache: new Token<Cache>('Cache'),
  /** Session, membership and permission decisions: versioned, with an in-process layer. */
  decisions: new Token<DecisionCache>('DecisionCache'),
  eventBus: new Token<EventBus>('EventBus'),
  transactions: new Token<TenantScopes>('TransactionRunner'),
  mailer: new Token<Mailer>('Mailer'),
  /** The durable outbox (enqueue, register handlers) and its administration (start, workers, status). */
  jobs: new Token<PgBossOutbox>('Outbox'),
  /** Once-only side effects of jobs. */
  receipts: new Token<JobReceipts>('JobReceipts'),
  routes: new Token<RouteRegistry>('RouteRegistry'),
  guards: new Token<Guards>('Guards'),
  /** Socket.IO server of this instance (attached to HTTP by startServer; scripts never attach it). */
  sockets: new Token<SocketServer>('SocketServer'),
  metrics: new Token<Metrics>('Metrics'),
};
