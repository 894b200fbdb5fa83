import pg from 'pg';
import { Sequelize, type Transaction } from 'sequelize';
import type { Config } from '../../config/config';
import { parseTimestampsFaster } from './timestamps';

/**
 * pg's Client with an 'error' listener from the start. Sequelize adds its own (which discards the
 * connection) only once connect() resolves; a backend terminated right after its ReadyForQuery
 * (a failover, pg_terminate_backend) emits 'error' in that gap, and an 'error' event nobody hears
 * crashes the process. Nothing is lost by listening: the same error also fails the pending or
 * next query, which is where it is reported.
 */
class ListenedClient extends pg.Client {
  constructor(config?: ConstructorParameters<typeof pg.Client>[0]) {
    super(config);
    this.on('error', () => undefined);
  }
}

// Everything else (types, parsers) is pg's own, through the prototype.
const pgModule = Object.assign(Object.create(pg) as typeof pg, { Client: ListenedClient });

/** Connection lifetime cap: each pooled connection caches catalog entries per schema it has seen. */
const MAX_USES_PER_CONNECTION = 5000;

/**
 * A backend keeps a relation-cache entry for every table and index it created or altered, and at
 * the end of a transaction that created many relations PostgreSQL walks that whole cache. On one
 * long-lived pooled connection that provisioned or migrated thousands of tenants, each new tenant
 * cost more than the last (38 ms at 500 tenants, 260 ms at 2,000, with the backend at 350 MB).
 * A connection that ran this many tenant-DDL transactions is therefore replaced at its next
 * checkout; the reconnect costs a few milliseconds.
 */
export const TENANT_DDL_TRANSACTIONS_PER_CONNECTION = 25;
const tenantDdlCounts = new WeakMap<object, number>();

/** Counts a transaction that ran tenant DDL against the connection that carries it. */
export function noteTenantDdl(transaction: Transaction): void {
  const connection = (transaction as unknown as { connection?: object }).connection;
  if (connection) tenantDdlCounts.set(connection, (tenantDdlCounts.get(connection) ?? 0) + 1);
}

/** The pool's check at checkout: pg's own (not ending, not broken), and not worn out by DDL. */
function reusable(connection: { _invalid?: boolean; _ending?: boolean }): boolean {
  return (
    !connection._invalid &&
    !connection._ending &&
    (tenantDdlCounts.get(connection) ?? 0) < TENANT_DDL_TRANSACTIONS_PER_CONNECTION
  );
}

export function createSequelize(url: string, config: Config['database']): Sequelize {
  parseTimestampsFaster();
  return new Sequelize(url, {
    dialect: 'postgres',
    dialectModule: pgModule,
    // Never log statements: Sequelize inlines replacement values (password and token hashes) into them.
    logging: false,
    pool: {
      min: config.pool.min,
      max: config.pool.max,
      acquire: 10_000,
      idle: 10_000,
      evict: 1_000,
      maxUses: MAX_USES_PER_CONNECTION,
      validate: reusable,
    },
    dialectOptions: config.ssl ? { ssl: { require: true, rejectUnauthorized: true } } : {},
    define: { underscored: true, timestamps: true },
  });
}

/** Readiness probe: one round trip on a pooled connection. */
export async function pingDatabase(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1');
}
