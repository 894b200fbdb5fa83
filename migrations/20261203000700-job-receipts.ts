import type { Migration } from '../src/core/infrastructure/database/migrator';

/**
 * One row per side effect an outbox job has carried out (its id, and which effect). The row is
 * inserted in the transaction that carries the effect out, so a job that runs twice (a retry
 * after a lost acknowledgement, two workers) finds it, or waits on its lock, and does nothing
 * more. Old receipts are purged by the housekeeping job once no retry can still come.
 */
export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query(`
    CREATE TABLE public.job_receipts (
      job_id uuid NOT NULL,
      effect text NOT NULL,
      done_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (job_id, effect)
    )`);
  await sequelize.query('CREATE INDEX job_receipts_done_at_idx ON public.job_receipts (done_at)');
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('DROP TABLE public.job_receipts');
};
