import { QueryTypes, type Sequelize } from 'sequelize';
import { Shards } from '../database/shards';
import { UnitOfWork, type TransactionRunner } from '../database/unit-of-work';
import type { JobContext } from './outbox';

/**
 * Makes a job's side effects happen once, however often the job runs. `claim` inserts the
 * receipt in the current unit of work: the first run inserts it and goes on; a concurrent run
 * waits on the row's lock until the first commits (then finds it and skips) or rolls back (then
 * proceeds); a later run finds it and skips.
 */
export class JobReceipts {
  private readonly shards: Shards;
  private readonly sequelize: Sequelize;

  constructor(
    databases: Sequelize | Shards,
    private readonly tx: TransactionRunner,
  ) {
    this.shards = Shards.of(databases);
    this.sequelize = this.shards.main;
  }

  /** Inside a unit of work: true if this run is the one to carry the effect out. */
  async claim(job: JobContext, effect: string): Promise<boolean> {
    // With the effect: in a tenant scope on another shard, that database's own receipts table.
    const transaction = UnitOfWork.tenant();
    if (!transaction) throw new Error('A job receipt is claimed inside the unit of work that carries the effect out');
    const rows = await this.sequelize.query(
      `INSERT INTO public.job_receipts (job_id, effect) VALUES (:id, :effect)
       ON CONFLICT DO NOTHING RETURNING job_id`,
      { replacements: { id: job.id, effect }, type: QueryTypes.SELECT, transaction },
    );
    return rows.length === 1;
  }

  /** Deletes receipts older than the date (no run of their job can still come), on every database; returns how many. */
  async purge(before: Date): Promise<number> {
    let purged = 0;
    for (const { sequelize } of this.shards.all()) {
      const rows = await sequelize.query('DELETE FROM public.job_receipts WHERE done_at < :before RETURNING 1', {
        replacements: { before },
        type: QueryTypes.SELECT,
      });
      purged += rows.length;
    }
    return purged;
  }

  /** Runs work in its own unit of work, once per job and effect; false when an earlier run did it. */
  once(job: JobContext, effect: string, work: () => Promise<void>): Promise<boolean> {
    return this.tx.run(async () => {
      if (!(await this.claim(job, effect))) return false;
      await work();
      return true;
    });
  }
}
