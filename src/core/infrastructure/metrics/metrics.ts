import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type { NearCacheStats } from '../cache/near-cache';
import type { QueueCounts } from '../jobs/pg-boss-outbox';
import { RequestDurations } from './request-durations';

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
  private readonly requestDurations = new RequestDurations([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  private readonly tenantTransactions: Histogram<'outcome'>;
  private readonly jobFailures: Counter<'type'>;
  /** Requests being served: a plain number, read at scrape time (nothing on the request path). */
  private inFlight = 0;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client's registry reads any object with its metrics' get(); this one is cheaper to observe.
    this.registry.registerMetric(this.requestDurations as unknown as Metric);
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

  /** A request was accepted (what a graceful stop waits for, read at scrape time). */
  requestStarted(): void {
    this.inFlight += 1;
  }

  /** Labelled by route template, never by raw path: ids would explode the label set. */
  requestFinished(method: string, route: string, status: number, seconds: number): void {
    this.inFlight -= 1;
    this.requestDurations.observe(method, route, status, seconds);
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
