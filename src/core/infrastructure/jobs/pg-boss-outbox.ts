import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Sequelize } from 'sequelize';
import { requestContext } from '../../context/request-context';
import type { Logger } from '../../logger';
import { MAIN_SHARD, Shards } from '../database/shards';
import { pooledExecutor, transactionExecutor } from '../database/sql';
import { UnitOfWork } from '../database/unit-of-work';
import { PermanentJobError, type Job, type JobHandler, type JobRegistry, type Outbox } from './outbox';

export interface OutboxSettings {
  /** Prefixes every queue name: instances sharing a prefix share the work (tests isolate with it). */
  queuePrefix: string;
  /** Retries after the first attempt, then the dead-letter queue. */
  retryLimit: number;
  /** Seconds before the first retry; doubled each time, with jitter. */
  retryDelaySeconds: number;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** How often idle workers look for jobs enqueued by other processes (this one wakes them itself). */
  pollSeconds: number;
}

interface Envelope {
  type: string;
  data: object;
}

type FetchedJob = PgBoss.JobWithMetadata<Envelope>;

export interface QueueCounts {
  queue: string;
  created: number;
  retry: number;
  active: number;
  completed: number;
  failed: number;
}

export interface DeadJob {
  id: string;
  type: string;
  diedAt: Date;
  error: string | null;
}

const SCHEMA = 'pgboss';
/** SQLSTATE deadlock_detected. */
const DEADLOCK = '40P01';

/** One database's pg-boss: the main database's, and one per extra tenant database (ADR 0012). */
interface Lane {
  shard: string;
  sequelize: Sequelize;
  boss: PgBoss;
}

/**
 * The outbox on pg-boss (PostgreSQL job tables in the `pgboss` schema, fetched with SKIP LOCKED).
 * pg-boss queries go through the app's own pool, and inside a unit of work through its
 * transaction's connection: the job row commits or rolls back with the change that caused it.
 * pg-boss brings retries with backoff, dead letters, expiry of stuck jobs, cron and retention.
 *
 * With tenants on several databases each database has its own `pgboss` schema: a job enqueued in
 * a tenant's transaction is written on that tenant's database, so it still commits with the
 * change. Workers take jobs from every database; periodic jobs live on the main one.
 */
export class PgBossOutbox implements Outbox, JobRegistry {
  private readonly lanes: Lane[];
  private readonly handlers = new Map<string, JobHandler>();
  private readonly periodic = new Map<string, { cron: string; handler: JobHandler }>();
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private stopping = false;
  private started = false;
  /** pg-boss queries and handler runs in progress: stop() waits for them before the pool closes. */
  private busy = 0;

  constructor(
    databases: Sequelize | Shards,
    private readonly settings: OutboxSettings,
    private readonly logger: Logger,
    private readonly onFailure: (type: string) => void = () => undefined,
  ) {
    const shards = Shards.of(databases);
    this.lanes = shards.all().map(({ name, sequelize }) => {
      const pooled = pooledExecutor(sequelize);
      const boss = new PgBoss({
        db: { executeSql: (text, values) => this.tracked(() => pooled.executeSql(text, values)) },
        schema: SCHEMA,
        // Completed jobs are kept a week for inspection; dead letters a month.
        deleteAfterDays: 7,
        retentionDays: 30,
        supervise: true,
        // Cron lives on the main database only.
        schedule: name === MAIN_SHARD,
      });
      boss.on('error', (err: Error) =>
        this.logger.error({ err: { message: err.message }, shard: name }, 'job queue error'),
      );
      return { shard: name, sequelize, boss };
    });
  }

  private get main(): Lane {
    return this.lanes[0]!;
  }

  get queue(): string {
    return `${this.settings.queuePrefix}outbox`;
  }

  get deadLetters(): string {
    return `${this.settings.queuePrefix}outbox_dead`;
  }

  handle<T>(type: string, handler: JobHandler<T>): void {
    if (this.handlers.has(type)) throw new Error(`A job handler for ${type} is already registered`);
    this.handlers.set(type, handler as JobHandler);
  }

  every(type: string, cron: string, handler: JobHandler<Record<string, never>>): void {
    this.periodic.set(type, { cron, handler: handler as JobHandler });
  }

  /**
   * Installs or migrates the pgboss schema and creates the queues (idempotent, safe concurrently).
   * After a failure, stop() still stops what did start.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const retry = {
      retryLimit: this.settings.retryLimit,
      retryDelay: this.settings.retryDelaySeconds,
      retryBackoff: true,
    };
    for (const lane of this.lanes) {
      await lane.boss.start();
      await this.ensureQueue(lane, this.deadLetters, { retentionDays: 30 });
      await this.ensureQueue(lane, this.queue, { ...retry, deadLetter: this.deadLetters });
    }
    for (const [type, { cron }] of this.periodic) {
      const name = this.periodicQueue(type);
      await this.ensureQueue(this.main, name, { ...retry, deadLetter: this.deadLetters });
      await this.main.boss.schedule(name, cron, {}, { tz: 'UTC' });
    }
  }

  /**
   * Starts this process's workers (WORKERS=inline, or the worker process): loops that fetch one
   * job at a time (SKIP LOCKED, so any number of processes share a queue), run its handler, and
   * complete or fail it, awaited. pg-boss's own work() leaves completion unawaited, so a lost
   * connection at that moment would be an unhandled rejection that ends the process.
   */
  startWorkers(): void {
    if (this.loops.length > 0) return;
    this.stopping = false;
    const poll = this.settings.pollSeconds * 1000;
    for (const lane of this.lanes) {
      for (let i = 0; i < this.settings.concurrency; i++) {
        this.loops.push(this.loop(lane, this.queue, poll, (job) => this.run(job)));
      }
    }
    for (const [type, { handler }] of this.periodic) {
      this.loops.push(
        this.loop(this.main, this.periodicQueue(type), 30_000, (job) =>
          handler({}, { id: job.id, attempt: job.retryCount + 1 }),
        ),
      );
    }
  }

  async enqueue(...jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return;
    // The tenant's own database when in a tenant's transaction: the job commits with its change.
    const transaction = UnitOfWork.tenant();
    const { tenantTransaction, tenantDatabase } = requestContext.current();
    const lane = (tenantTransaction && this.lanes.find((l) => l.sequelize === tenantDatabase)) || this.main;
    const rows = jobs.map((job) => ({
      id: job.id ?? randomUUID(),
      name: this.queue,
      data: { type: job.type, data: job.data } satisfies Envelope,
      ...(job.startAfter ? { startAfter: job.startAfter } : {}),
    }));
    await lane.boss.insert(rows, transaction ? { db: transactionExecutor(transaction) } : {});
    // Local workers need not wait for their next poll: wake them once the jobs are visible.
    await UnitOfWork.afterCommit(async () => this.wake());
  }

  /** Counts per state of this deployment's queues, and the newest dead letters. */
  async status(): Promise<{ queues: QueueCounts[]; dead: DeadJob[] }> {
    const names = [this.queue, this.deadLetters, ...[...this.periodic.keys()].map((t) => this.periodicQueue(t))];
    const counts = await this.everywhere((lane) =>
      this.sql<{ name: string; state: string; count: number }>(
        lane,
        `SELECT name, state::text AS state, count(*)::int AS count FROM ${SCHEMA}.job
         WHERE name = ANY($1::text[]) GROUP BY name, state`,
        [names],
      ),
    );
    const queues = names.map((queue) => {
      const of = (state: string) =>
        counts.filter((r) => r.name === queue && r.state === state).reduce((sum, r) => sum + r.count, 0);
      return {
        queue,
        created: of('created'),
        retry: of('retry'),
        active: of('active'),
        completed: of('completed'),
        failed: of('failed'),
      };
    });
    // A dead letter is pg-boss's copy of a job that failed its last attempt, waiting in the
    // dead-letter queue (no worker takes it) with the last error as its output.
    const dead = await this.everywhere((lane) =>
      this.sql<{ id: string; type: string | null; created_on: Date; output: unknown }>(
        lane,
        `SELECT id, data->>'type' AS type, created_on, output FROM ${SCHEMA}.job
         WHERE name = $1 AND state = 'created' ORDER BY created_on DESC LIMIT 100`,
        [this.deadLetters],
      ),
    );
    dead.sort((a, b) => b.created_on.getTime() - a.created_on.getTime());
    return {
      queues,
      dead: dead.slice(0, 100).map((r) => ({
        id: r.id,
        type: r.type ?? 'unknown',
        diedAt: r.created_on,
        error: errorMessage(r.output),
      })),
    };
  }

  /** Sends a dead letter back to the outbox for a fresh set of attempts; false if there is none by that id. */
  async retryDead(id: string): Promise<boolean> {
    for (const lane of this.lanes) {
      const [letter] = await this.sql<{ data: Envelope }>(
        lane,
        `DELETE FROM ${SCHEMA}.job WHERE name = $1 AND id = $2 AND state = 'created' RETURNING data`,
        [this.deadLetters, id],
      );
      if (!letter) continue;
      await lane.boss.insert([{ name: this.queue, data: letter.data }]);
      this.wake();
      return true;
    }
    return false;
  }

  /** Resolves once this deployment's outbox has nothing waiting or running (tests, drains). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.everywhere((lane) =>
        this.sql<{ count: number }>(
          lane,
          `SELECT count(*)::int AS count FROM ${SCHEMA}.job
           WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
          [this.queue],
        ),
      );
      if (counts.every((r) => r.count === 0)) return;
      if (Date.now() > deadline) throw new Error(`the outbox did not settle within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Stops the workers, letting running jobs finish within the bound, then pg-boss's scheduler
   * and maintenance. It also waits until no pg-boss query is in flight: the pool closes next.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.started) return;
    const deadline = Date.now() + timeoutMs;
    this.stopping = true;
    this.wake();
    const finished = Promise.all(this.loops).then(() => true);
    const late = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    if (!(await Promise.race([finished, late]))) this.logger.warn('outbox stopped with jobs still running');
    this.loops = [];
    // Our own loops are done; pg-boss's graceful mode would only poll its internal cron worker
    // every 500 ms, so stop it at once (a cron send cut short is sent again by the next instance).
    for (const lane of this.lanes) await lane.boss.stop({ graceful: false, wait: true, close: false });
    while (this.busy > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    this.started = false;
  }

  private async loop(
    lane: Lane,
    queue: string,
    pollMs: number,
    run: (job: FetchedJob) => Promise<void>,
  ): Promise<void> {
    while (!this.stopping) {
      let job: FetchedJob | undefined;
      try {
        [job] = await lane.boss.fetch<Envelope>(queue, { batchSize: 1, includeMetadata: true });
      } catch (err) {
        this.logger.warn({ err: { message: (err as Error).message }, queue, shard: lane.shard }, 'outbox fetch failed');
      }
      if (job) await this.settle(lane, queue, job, run);
      else await this.idle(pollMs);
    }
  }

  /** Runs one job and records the outcome; a failure to record it leaves the job to expire and run again. */
  private async settle(
    lane: Lane,
    queue: string,
    job: FetchedJob,
    run: (job: FetchedJob) => Promise<void>,
  ): Promise<void> {
    const type = job.data?.type ?? queue;
    try {
      await this.tracked(() => run(job));
    } catch (err) {
      this.onFailure(type);
      const message = (err as Error).message;
      const permanent = Boolean((err as { permanent?: boolean }).permanent);
      const attempt = job.retryCount + 1;
      this.logger.warn({ err: { message }, job: { id: job.id, type, attempt, permanent } }, 'job failed');
      await this.record('failure', job, async () => {
        // No retry can fix it: its attempts are used up now, so this failure dead-letters it.
        if (permanent) {
          await this.sql(lane, `UPDATE ${SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [
            queue,
            job.id,
          ]);
        }
        await lane.boss.fail(queue, job.id, { message });
      });
      return;
    }
    await this.record('completion', job, () => lane.boss.complete(queue, job.id));
  }

  private async record(what: string, job: FetchedJob, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error({ err: { message: (err as Error).message }, job: { id: job.id } }, `job ${what} not recorded`);
    }
  }

  private async run(job: FetchedJob): Promise<void> {
    const handler = this.handlers.get(job.data.type);
    if (!handler) throw new PermanentJobError(`no handler is registered for jobs of type ${job.data.type}`);
    await handler(job.data.data, { id: job.id, attempt: job.retryCount + 1 });
  }

  /** Waits for the poll interval, or less when wake() is called (a job was enqueued here, or stop()). */
  private idle(ms: number): Promise<void> {
    // stop() wakes the idle loops once; a loop whose fetch was in flight then must not start a
    // fresh wait (30 s for the periodic queues), or every stop would sit out its whole bound.
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private wake(): void {
    [...this.wakers].forEach((wake) => wake());
  }

  private async sql<T>(lane: Lane, text: string, values: unknown[]): Promise<T[]> {
    return (await pooledExecutor(lane.sequelize).executeSql(text, values)).rows as T[];
  }

  /** The same query on every database's queues, rows together. */
  private async everywhere<T>(query: (lane: Lane) => Promise<T[]>): Promise<T[]> {
    return (await Promise.all(this.lanes.map(query))).flat();
  }

  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    this.busy += 1;
    try {
      return await work();
    } finally {
      this.busy -= 1;
    }
  }

  private periodicQueue(type: string): string {
    return `${this.settings.queuePrefix}${type.replace(/[^\w]/g, '_')}`;
  }

  /**
   * Creates the queue, or updates its options. Creating one attaches a partition to pgboss.job,
   * and two processes doing so at once (cluster workers, instances starting together) can
   * deadlock: PostgreSQL aborts one, which tries again (creation is idempotent).
   */
  private async ensureQueue(lane: Lane, name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
    const { boss } = lane;
    for (let attempt = 1; ; attempt++) {
      try {
        if (await boss.getQueue(name)) await boss.updateQueue(name, options as PgBoss.Queue);
        else await boss.createQueue(name, options as PgBoss.Queue);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== DEADLOCK || attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
      }
    }
  }
}

function errorMessage(output: unknown): string | null {
  if (!output || typeof output !== 'object') return null;
  const value =
    (output as { message?: unknown; value?: { message?: unknown } }).message ??
    (output as { value?: { message?: unknown } }).value?.message;
  return typeof value === 'string' ? value.slice(0, 500) : null;
}
