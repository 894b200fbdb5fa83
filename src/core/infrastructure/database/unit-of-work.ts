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
    return this.sequelize.transaction((transaction) =>
      requestContext.run({ ...requestContext.current(), transaction }, work),
    );
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
    return this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query(`SET LOCAL search_path TO ${schema.quoted}, public`, { transaction });
      return requestContext.run({ ...current, transaction, tenantSchema: schema.value }, work);
    });
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
