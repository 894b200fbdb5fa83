import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type { NearCacheStats } from '../cache/near-cache';
import type { QueueCounts } from '../jobs/pg-boss-outbox';

/** What the metrics read when Prometheus scrapes (sampled then, never on the request path). */
export interface MetricSources {
  sequelize: Sequelize;
  /** Connected sockets per namespace. */
  sockets: () => Map<string, number>;
  /** Outbox jobs per queue and state, read from PostgreSQL at scrape time. */
  outbox: () => Promise<QueueCounts[]>;
  /** The in-process decision cache's counters (null when there is none). */
  nearCache: () => NearCacheStats | null;
}

interface PoolStats {
  size: number;
  available: number;
  using: number;
  waiting: number;
}

/**
 * Prometheus metrics of one instance, in a registry of its own (two instances in one process,
 * as in the tests, never mix). Exposed on METRICS_PORT, or on /metrics behind METRICS_TOKEN.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly tenantTransactions: Histogram<'outcome'>;
  private readonly jobFailures: Counter<'type'>;
  /** Requests being served: a plain number, read at scrape time (nothing on the request path). */
  private inFlight = 0;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.tenantTransactions = new Histogram({
      name: 'tenant_transaction_duration_seconds',
      help: 'Tenant scopes: transactions (BEGIN + SET LOCAL search_path ... COMMIT or ROLLBACK) and read-only scopes',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.jobFailures = new Counter({
      name: 'outbox_job_failures_total',
      help: 'Outbox job runs that failed (each is retried, then dead-lettered), by job type',
      labelNames: ['type'],
      registers,
    });
    const pool = () =>
      (sources.sequelize as unknown as { connectionManager: { pool?: PoolStats } }).connectionManager.pool;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (waiting: requests queued for one)',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = pool();
        if (!stats) return;
        this.set({ state: 'open' }, stats.size);
        this.set({ state: 'idle' }, stats.available);
        this.set({ state: 'in_use' }, stats.using);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    const requests = () => this.inFlight;
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests accepted and not yet answered (what a graceful stop waits for)',
      registers,
      collect() {
        this.set(requests());
      },
    });
    new Gauge({
      name: 'socket_connections',
      help: 'Connected Socket.IO clients per namespace',
      labelNames: ['namespace'],
      registers,
      collect() {
        this.reset();
        for (const [namespace, count] of sources.sockets()) this.set({ namespace }, count);
      },
    });
    new Gauge({
      name: 'near_cache_stats',
      help: 'In-process decision cache since start: hits, misses, invalidations applied; entries held now',
      labelNames: ['stat'],
      registers,
      collect() {
        const stats = sources.nearCache();
        if (!stats) return;
        for (const [stat, value] of Object.entries(stats) as [string, number][]) this.set({ stat }, value);
      },
    });
    new Gauge({
      name: 'outbox_jobs',
      help: 'Outbox jobs by queue and state (the *_dead queue holds the dead letters)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        for (const counts of await sources.outbox()) {
          for (const state of ['created', 'retry', 'active', 'completed', 'failed'] as const) {
            this.set({ queue: counts.queue, state }, counts[state]);
          }
        }
      },
    });
  }

  /**
   * Times every request under its route template (never the raw path: ids would explode the label
   * set). The timer is a plain hrtime, and each label set's child histogram is looked up once:
   * prom-client hashes the labels on every observe otherwise.
   */
  httpMiddleware(): Middleware {
    const children = new Map<string, { observe(seconds: number): void }>();
    return async (ctx, next) => {
      const started = process.hrtime.bigint();
      this.inFlight += 1;
      try {
        await next();
      } finally {
        this.inFlight -= 1;
        const route = String((ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched');
        const key = `${ctx.method} ${ctx.status} ${route}`;
        let child = children.get(key);
        if (!child) {
          child = this.requestDuration.labels({ method: ctx.method, route, status: String(ctx.status) });
          children.set(key, child);
        }
        child.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  }

  tenantTransaction(outcome: 'commit' | 'rollback' | 'read-only', seconds: number): void {
    this.tenantTransactions.observe({ outcome }, seconds);
  }

  jobFailed(type: string): void {
    this.jobFailures.inc({ type });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
