import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transaction } from 'sequelize';

/** What the current request (or job) carries implicitly: who, from where, in which transaction. */
export interface RequestContext {
  requestId?: string;
  ip?: string;
  userAgent?: string;
  actorId?: string;
  transaction?: Transaction;
  /** Set while the transaction's search_path points at a tenant schema. */
  tenantSchema?: string;
  /** Work to run once the current transaction has committed (cache invalidation, events). */
  afterCommit?: (() => Promise<void>)[];
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
