import type { Sequelize, Transaction } from 'sequelize';
import { requestContext } from '../../context/request-context';

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

  /** The transaction of the current unit of work, if any (for repositories). */
  static current(): Transaction | undefined {
    return requestContext.current().transaction;
  }
}

/** What use cases depend on: atomicity, without knowing Sequelize. */
export interface TransactionRunner {
  run<T>(work: () => Promise<T>): Promise<T>;
}
