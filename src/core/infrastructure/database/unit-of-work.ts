import type { Sequelize, Transaction, TransactionOptions } from 'sequelize';
import { requestContext } from '../../context/request-context';
import type { SchemaName } from '../../domain/schema-name';

const patched = new WeakSet<Sequelize>();

/** The option UnitOfWork.runInTenant passes: an already quoted, validated schema name. */
const TENANT_SEARCH_PATH = 'tenantSearchPath';

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
    return `${begin(transaction)} SET LOCAL search_path TO ${searchPath}, public;`;
  };
}

/**
 * Runs work in one transaction that every repository joins through the request context, so a
 * use case is all-or-nothing without passing a transaction around. Nested calls reuse the outer
 * transaction.
 */
export class UnitOfWork implements TenantScopes {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly observe: (outcome: TenantScopeOutcome, seconds: number) => void = () => undefined,
  ) {
    beginWithSearchPath(sequelize);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const current = requestContext.current();
    if (current.transaction) return work();
    if (current.tenantReadOnly)
      throw new Error('A read-only route cannot open a transaction: declare it readOnly: false');
    const afterCommit: (() => Promise<void>)[] = [];
    const result = await this.sequelize.transaction((transaction) =>
      requestContext.run({ ...requestContext.current(), transaction, afterCommit }, work),
    );
    await UnitOfWork.flush(afterCommit);
    return result;
  }

  /**
   * The only way to reach a tenant schema: one transaction whose search_path is the tenant's
   * schema, then public. SET LOCAL ends with COMMIT or ROLLBACK, so the pooled connection never
   * carries the tenant into the next request. Unqualified table names resolve to the tenant.
   */
  async runInTenant<T>(schema: SchemaName, work: () => Promise<T>): Promise<T> {
    const current = requestContext.current();
    if (current.transaction || current.tenantSchema) {
      if (current.tenantSchema === schema.value && !current.tenantReadOnly) return work();
      throw new Error('A tenant scope cannot open inside another transaction or tenant scope');
    }
    const afterCommit: (() => Promise<void>)[] = [];
    // BEGIN carries the SET LOCAL (see beginWithSearchPath): one round trip, not two.
    const options = { [TENANT_SEARCH_PATH]: schema.quoted } as TransactionOptions;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let result: T;
    try {
      result = await this.sequelize.transaction(options, async (transaction) =>
        requestContext.run({ ...current, transaction, tenantSchema: schema.value, afterCommit }, work),
      );
    } catch (err) {
      this.observe('rollback', seconds());
      throw err;
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
  async readInTenant<T>(schema: SchemaName, work: () => Promise<T>): Promise<T> {
    const current = requestContext.current();
    if (current.transaction || current.tenantSchema) {
      if (current.tenantSchema === schema.value) return work();
      throw new Error('A tenant scope cannot open inside another transaction or tenant scope');
    }
    const started = process.hrtime.bigint();
    try {
      return await requestContext.run({ ...current, tenantSchema: schema.value, tenantReadOnly: true }, work);
    } finally {
      this.observe('read-only', Number(process.hrtime.bigint() - started) / 1e9);
    }
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

  /** The transaction of the current unit of work, if any (for repositories). */
  static current(): Transaction | undefined {
    return requestContext.current().transaction;
  }
}

export type TenantScopeOutcome = 'commit' | 'rollback' | 'read-only';

/** What use cases depend on: atomicity, without knowing Sequelize. */
export interface TransactionRunner {
  run<T>(work: () => Promise<T>): Promise<T>;
  runInTenant<T>(schema: SchemaName, work: () => Promise<T>): Promise<T>;
}

/** What the tenant guard needs besides: the read-only scope of read-only routes. */
export interface TenantScopes extends TransactionRunner {
  readInTenant<T>(schema: SchemaName, work: () => Promise<T>): Promise<T>;
}
