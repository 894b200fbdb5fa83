import type { Sequelize, Transaction, TransactionOptions } from 'sequelize';
import { requestContext } from '../../context/request-context';
import type { SchemaName } from '../../domain/schema-name';
import { TenantMovingError } from '../../errors/app-error';
import { MAIN_SHARD, Shards } from './shards';
import { sqlState } from './sql';

const patched = new WeakSet<Sequelize>();

/** The option UnitOfWork.runInTenant passes: an already quoted, validated schema name. */
const TENANT_SEARCH_PATH = 'tenantSearchPath';
/** With shards: the schema whose move lock the transaction tries (shared) at BEGIN, and checks is here. */
const TENANT_MOVE_LOCK = 'tenantMoveLock';

/**
 * The advisory lock a tenant's write transactions hold shared and `tenant:move` holds exclusive
 * on the source database while it copies: the move waits for the writes in flight, and new ones
 * are refused at once (503) until it is over. Two int4 keys, a key space of its own.
 */
export const TENANT_MOVE_LOCK_CLASS = 4242;
/** What `tenant:move` takes on the source database (exclusive, waiting for the writes in flight). */
export const tenantMoveLockSql = (schemaParameter: string) =>
  `SELECT pg_advisory_xact_lock(${TENANT_MOVE_LOCK_CLASS}, hashtext(${schemaParameter}))`;

/**
 * The gate of a tenant write transaction with shards, in its BEGIN message: the move lock taken
 * shared without waiting, and the schema checked to be here. While a move holds the lock (or
 * waits for it), the cast of a name no schema has fails at once with 3F000, as a schema moved
 * away does: the request answers 503 without holding a pooled connection through the copy.
 * `schema` is a validated name.
 */
const tenantWriteGateSql = (schema: string) =>
  `SELECT CAST(CASE WHEN pg_try_advisory_xact_lock_shared(${TENANT_MOVE_LOCK_CLASS}, hashtext('${schema}')) ` +
  `THEN '${schema}' ELSE 'moving:${schema}' END AS regnamespace)`;

/**
 * Fails (3F000) when the schema is not in this database. With shards a request can be routed to
 * where a tenant was; its schema is gone from there, and an unqualified name that public also
 * has (`audit_events`) would otherwise resolve to public's table. `schema` is a validated name.
 */
export const schemaPresentSql = (schema: string) => `SELECT CAST('${schema}' AS regnamespace)`;

/** SQLSTATEs of a tenant schema that is not (or no longer) in the database a query was sent to. */
const GONE = new Set(['42P01', '3F000']);

/**
 * BEGIN and the tenant's `SET LOCAL search_path` in one round trip: a transaction started with
 * `{ tenantSearchPath }` sends both statements in one simple query. Saves one of the four
 * round trips of a tenant read.
 */
function beginWithSearchPath(sequelize: Sequelize): void {
  if (patched.has(sequelize)) return;
  patched.add(sequelize);
  const generator = sequelize.getQueryInterface().queryGenerator as {
    startTransactionQuery(transaction: { parent?: unknown; options: Record<string, unknown> }): string;
  };
  const begin = generator.startTransactionQuery.bind(generator);
  generator.startTransactionQuery = (transaction) => {
    const searchPath = transaction.options[TENANT_SEARCH_PATH];
    if (transaction.parent || typeof searchPath !== 'string') return begin(transaction);
    const lock = transaction.options[TENANT_MOVE_LOCK];
    const moveLock = typeof lock === 'string' ? ` ${tenantWriteGateSql(lock)};` : '';
    return `${begin(transaction)} SET LOCAL search_path TO ${searchPath}, public;${moveLock}`;
  };
}

/**
 * Runs work in one transaction that every repository joins through the request context, so a
 * use case is all-or-nothing without passing a transaction around. Nested calls reuse the outer
 * transaction.
 */
export class UnitOfWork implements TenantScopes {
  private readonly shards: Shards;
  private readonly sequelize: Sequelize;

  constructor(
    databases: Sequelize | Shards,
    private readonly observe: (outcome: TenantScopeOutcome, seconds: number) => void = () => undefined,
  ) {
    this.shards = Shards.of(databases);
    this.sequelize = this.shards.main;
    this.shards.all().forEach(({ sequelize }) => beginWithSearchPath(sequelize));
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const current = requestContext.current();
    if (current.transaction) return work();
    if (current.tenantReadOnly)
      throw new Error('A read-only route cannot open a transaction: declare it readOnly: false');
    const afterCommit: (() => Promise<void>)[] = [];
    const afterEnd: (() => Promise<void>)[] = [];
    const result = await UnitOfWork.ending(afterEnd, () =>
      this.sequelize.transaction((transaction) =>
        requestContext.run({ ...requestContext.current(), transaction, afterCommit, afterEnd }, work),
      ),
    );
    await UnitOfWork.flush(afterCommit);
    return result;
  }

  /**
   * The only way to reach a tenant schema: one transaction whose search_path is the tenant's
   * schema, then public. SET LOCAL ends with COMMIT or ROLLBACK, so the pooled connection never
   * carries the tenant into the next request. Unqualified table names resolve to the tenant.
   *
   * The transaction opens on the database that holds the schema (`shard`, else the directory's
   * answer). On the main database it is one transaction for the tenant and `public`. On another
   * shard the tenant's transaction carries its tables, the outbox and job receipts, and a second
   * one on the main database carries `public` (directory, audit); the main one commits first, so
   * a failure between the two leaves the directory ahead, never a tenant change without its audit
   * row (ADR 0012).
   */
  async runInTenant<T>(schema: SchemaName, work: () => Promise<T>, place: TenantPlace = {}): Promise<T> {
    const current = requestContext.current();
    if (current.transaction || current.tenantSchema) {
      if (current.tenantSchema === schema.value && !current.tenantReadOnly) return work();
      throw new Error('A tenant scope cannot open inside another transaction or tenant scope');
    }
    const afterCommit: (() => Promise<void>)[] = [];
    const afterEnd: (() => Promise<void>)[] = [];
    // BEGIN carries the SET LOCAL (see beginWithSearchPath): one round trip, not two.
    const options = {
      [TENANT_SEARCH_PATH]: schema.quoted,
      // A schema created in this transaction is not there yet to be checked, nor can it be moving.
      ...(this.shards.configured && !place.creating ? { [TENANT_MOVE_LOCK]: schema.value } : {}),
    } as TransactionOptions;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let result: T;
    try {
      const name = place.shard ?? (await this.shards.locate(schema.value));
      const database = this.shards.get(name);
      const scope = { ...current, tenantSchema: schema.value, tenantDatabase: database, afterCommit, afterEnd };
      result = await UnitOfWork.ending(afterEnd, async () =>
        name === MAIN_SHARD
          ? await database.transaction(options, async (transaction) =>
              requestContext.run({ ...scope, transaction, tenantTransaction: transaction }, work),
            )
          : place.tenantOnly
            ? await database.transaction(options, async (tenantTransaction) =>
                requestContext.run({ ...scope, tenantTransaction }, work),
              )
            : await database.transaction(options, async (tenantTransaction) =>
                this.sequelize.transaction(async (transaction) =>
                  requestContext.run({ ...scope, transaction, tenantTransaction }, work),
                ),
              ),
      );
    } catch (err) {
      this.observe('rollback', seconds());
      throw this.explain(schema, err);
    }
    this.observe('commit', seconds());
    await UnitOfWork.flush(afterCommit);
    return result;
  }

  /**
   * The tenant scope of a read-only route, without a transaction: every tenant query is sent as
   * one simple-protocol message, `SET LOCAL search_path …; SET LOCAL transaction_read_only …;
   * SELECT …`, which PostgreSQL runs as one implicit transaction. One round trip instead of three
   * (BEGIN + SET, the query, COMMIT); the settings end with the message, so a pooled (or
   * PgBouncer) connection never carries the tenant on; a write fails (read-only transaction).
   * Each query sees its own snapshot, as each statement of a READ COMMITTED transaction does.
   */
  async readInTenant<T>(schema: SchemaName, work: () => Promise<T>, shard?: string): Promise<T> {
    const current = requestContext.current();
    if (current.transaction || current.tenantSchema) {
      if (current.tenantSchema === schema.value) return work();
      throw new Error('A tenant scope cannot open inside another transaction or tenant scope');
    }
    const started = process.hrtime.bigint();
    try {
      const database = this.shards.get(shard ?? (await this.shards.locate(schema.value)));
      return await requestContext.run(
        {
          ...current,
          tenantSchema: schema.value,
          tenantReadOnly: true,
          tenantDatabase: database,
          tenantCheck: this.shards.configured,
        },
        work,
      );
    } catch (err) {
      throw this.explain(schema, err);
    } finally {
      this.observe('read-only', Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /**
   * A tenant's tables missing where the request was routed: with shards, the schema was moved
   * away after the route was decided. Where it is now is read afresh next time; this request
   * answers 503 with Retry-After (nothing was read or written). Without shards it is a real error.
   */
  private explain(schema: SchemaName, err: unknown): unknown {
    if (!this.shards.configured || !GONE.has(sqlState(err) ?? '')) return err;
    this.shards.forget(schema.value);
    return new TenantMovingError(1);
  }

  /**
   * Runs work after the current transaction commits (never if it rolls back), or now when there
   * is none. For what must not happen before others can see the change, such as forgetting a cache.
   */
  static afterCommit(work: () => Promise<void>): Promise<void> {
    const hooks = requestContext.current().afterCommit;
    if (requestContext.current().transaction && hooks) {
      hooks.push(work);
      return Promise.resolve();
    }
    return work();
  }

  private static async flush(hooks: (() => Promise<void>)[]): Promise<void> {
    for (const hook of hooks) await hook();
  }

  /**
   * Work to run once the current unit of work's transactions have ended, committed or not (or
   * now, outside one), for writes that must outlive a rollback (detached audit rows). Run from
   * inside the transaction, such a write would wait for a second pooled connection while holding
   * the first: as many concurrent refusals as the pool holds stalled every request until the
   * acquire timeout.
   */
  static afterEnd(work: () => Promise<void>): Promise<void> {
    const { afterEnd, transaction, tenantTransaction } = requestContext.current();
    if (afterEnd && (transaction || tenantTransaction)) {
      afterEnd.push(work);
      return Promise.resolve();
    }
    return work();
  }

  /** Runs the transaction, then its afterEnd hooks whatever the outcome (the work's error wins). */
  private static async ending<T>(hooks: (() => Promise<void>)[], transaction: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await transaction();
    } catch (err) {
      await UnitOfWork.flush(hooks);
      throw err;
    }
    await UnitOfWork.flush(hooks);
    return result;
  }

  /** The main database's transaction of the current unit of work, if any (repositories of `public`). */
  static current(): Transaction | undefined {
    return requestContext.current().transaction;
  }

  /**
   * The transaction on the tenant's own database (tenant tables, the outbox, job receipts of
   * tenant effects); outside a tenant scope, the main one.
   */
  static tenant(): Transaction | undefined {
    const { tenantTransaction, transaction } = requestContext.current();
    return tenantTransaction ?? transaction;
  }
}

export type TenantScopeOutcome = 'commit' | 'rollback' | 'read-only';

/** What use cases depend on: atomicity, without knowing Sequelize. */
/** What the caller knows of a tenant's place: its database (else the directory is asked), and whether this creates it. */
export interface TenantPlace {
  shard?: string;
  /** The schema is created in this transaction (provisioning, a move's copy). */
  creating?: boolean;
  /** Nothing in `public` is touched: no main-database transaction is opened beside another shard's. */
  tenantOnly?: boolean;
}

export interface TransactionRunner {
  run<T>(work: () => Promise<T>): Promise<T>;
  runInTenant<T>(schema: SchemaName, work: () => Promise<T>, place?: TenantPlace): Promise<T>;
}

/** What the tenant guard needs besides: the read-only scope of read-only routes. */
export interface TenantScopes extends TransactionRunner {
  readInTenant<T>(schema: SchemaName, work: () => Promise<T>, shard?: string): Promise<T>;
}
