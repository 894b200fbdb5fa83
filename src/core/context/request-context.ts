import { AsyncLocalStorage } from 'node:async_hooks';
import type { Sequelize, Transaction } from 'sequelize';

/** What the current request (or job) carries implicitly: who, from where, in which transaction. */
export interface RequestContext {
  requestId?: string;
  ip?: string;
  userAgent?: string;
  actorId?: string;
  /** Set when the actor is not a person: an API key (actorId is then the key's id). */
  actorKind?: 'api_key';
  /** The transaction on the main database: the shared `public` tables (directory, audit, users). */
  transaction?: Transaction;
  /**
   * The tenant's own transaction, on the database that holds its schema. The same object as
   * `transaction` when that is the main database; on another shard (ADR 0012) a second
   * transaction, which commits after the main one.
   */
  tenantTransaction?: Transaction;
  /** The database that holds the current tenant's schema (its pool serves read-only scopes). */
  tenantDatabase?: Sequelize;
  /** With shards, each read-only tenant query first checks the schema is there (UnitOfWork). */
  tenantCheck?: boolean;
  /** Set while the request is scoped to a tenant schema (in a transaction, or read-only). */
  tenantSchema?: string;
  /**
   * A read-only tenant scope has no transaction: each tenant query carries its own
   * `SET LOCAL search_path` and runs as one implicit, read-only transaction (UnitOfWork.readInTenant).
   */
  tenantReadOnly?: boolean;
  /** Work to run once the current transaction has committed (cache invalidation, events). */
  afterCommit?: (() => Promise<void>)[];
  /** Work to run once the unit of work's transactions have ended, committed or rolled back. */
  afterEnd?: (() => Promise<void>)[];
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  current(): RequestContext {
    return storage.getStore() ?? {};
  },
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  /** Adds fields to the current context object (visible to everything below in the same request). */
  assign(fields: Partial<RequestContext>): void {
    const store = storage.getStore();
    if (store) Object.assign(store, fields);
  },
};
