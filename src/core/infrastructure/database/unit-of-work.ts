import type { Sequelize, Transaction } from 'sequelize';
import { requestContext } from '../../context/request-context';
import type { SchemaName } from '../../domain/schema-name';

/**
 * Runs work in one transaction that every repository joins through the request context, so a
 * use case is all-or-nothing without passing a transaction around. Nested calls reuse the outer
 * transaction.
 */
export class UnitOfWork {
  constructor(private readonly sequelize: Sequelize) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (requestContext.current().transaction) return work();
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
    if (current.transaction) {
      if (current.tenantSchema === schema.value) return work();
      throw new Error('A tenant scope cannot open inside another transaction or tenant scope');
    }
    const afterCommit: (() => Promise<void>)[] = [];
    const result = await this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query(`SET LOCAL search_path TO ${schema.quoted}, public`, { transaction });
      return requestContext.run({ ...current, transaction, tenantSchema: schema.value, afterCommit }, work);
    });
    await UnitOfWork.flush(afterCommit);
    return result;
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

/** What use cases depend on: atomicity, without knowing Sequelize. */
export interface TransactionRunner {
  run<T>(work: () => Promise<T>): Promise<T>;
  runInTenant<T>(schema: SchemaName, work: () => Promise<T>): Promise<T>;
}
