import { QueryTypes, type Sequelize } from 'sequelize';
import type { DatabaseConfig } from '../../config/config';
import type { Logger } from '../../logger';
import { createSequelize } from './sequelize';
import { selectRows, sqlState } from './sql';

/** The main database's name as a shard: it holds the directory and the tenants not placed elsewhere. */
export const MAIN_SHARD = 'main';

export class UnknownShardError extends Error {
  constructor(
    readonly shard: string,
    message = `No tenant database is configured under the name "${shard}" (TENANT_DATABASES)`,
  ) {
    super(message);
  }
}

/**
 * The databases that hold tenant schemas (ADR 0012): the main one, which also holds the shared
 * `public` directory, and the extra ones named in TENANT_DATABASES. Each has its own pool. A
 * shard's `public` schema holds only what a tenant transaction needs on its own connection: the
 * extensions, the permission catalogue (role_permissions references it), the job receipts and,
 * created by the outbox, its own `pgboss` queues.
 */
export class Shards {
  /** Schema → shard, as last read from the directory (a stale entry fails safely: see UnitOfWork). */
  private readonly located = new Map<string, string>();

  private constructor(
    readonly main: Sequelize,
    private readonly extra: ReadonlyMap<string, Sequelize>,
  ) {}

  static single(main: Sequelize): Shards {
    return new Shards(main, new Map());
  }

  /** For the classes that take either: a bare Sequelize is the main database alone. */
  static of(databases: Sequelize | Shards): Shards {
    return databases instanceof Shards ? databases : Shards.single(databases);
  }

  /** Opens a pool per configured shard and checks each answers. */
  static async open(main: Sequelize, config: DatabaseConfig): Promise<Shards> {
    const extra = new Map<string, Sequelize>();
    const shards = new Shards(main, extra);
    try {
      for (const { name, url } of config.shards) {
        const sequelize = createSequelize(url, config);
        extra.set(name, sequelize);
        await sequelize.authenticate();
      }
    } catch (err) {
      await shards.close();
      throw err;
    }
    return shards;
  }

  /** True when tenants can live elsewhere than the main database. */
  get configured(): boolean {
    return this.extra.size > 0;
  }

  names(): string[] {
    return [MAIN_SHARD, ...this.extra.keys()];
  }

  has(name: string): boolean {
    return name === MAIN_SHARD || this.extra.has(name);
  }

  get(name: string): Sequelize {
    if (name === MAIN_SHARD) return this.main;
    const sequelize = this.extra.get(name);
    if (!sequelize) throw new UnknownShardError(name);
    return sequelize;
  }

  /**
   * The shard that holds a tenant schema, from the directory (cached). A schema the directory does
   * not know yet (a workspace being created or imported) is on the main database.
   */
  async locate(schema: string): Promise<string> {
    if (!this.configured) return MAIN_SHARD;
    const known = this.located.get(schema);
    if (known) return known;
    const [row] = await selectRows<{ shard: string }>(
      this.main,
      'SELECT shard FROM public.workspaces WHERE schema_name = :schema',
      { schema },
    );
    const shard = row?.shard ?? MAIN_SHARD;
    if (row) {
      if (this.located.size >= 100_000) this.located.clear();
      this.located.set(schema, shard);
    }
    return shard;
  }

  /** Drops what is remembered of a schema's place (after a move, or a query that found it gone). */
  forget(schema: string): void {
    this.located.delete(schema);
  }

  /**
   * Refuses a directory that places workspaces on databases this process was not given (a
   * deployment missing TENANT_DATABASES, or one entry short): it would look for those tenants on
   * the main database instead.
   */
  async assertPlacesKnown(): Promise<void> {
    let rows: { shard: string }[];
    try {
      rows = await this.main.query<{ shard: string }>(
        `SELECT shard FROM public.workspaces WHERE shard <> 'main'
         UNION SELECT moving_to FROM public.workspaces WHERE moving_to IS NOT NULL`,
        { type: QueryTypes.SELECT },
      );
    } catch (err) {
      // Before the migration that records places: every tenant is on the main database.
      if (sqlState(err) === '42703') return;
      throw err;
    }
    const unknown = rows.map((r) => r.shard).filter((name) => !this.has(name));
    if (unknown.length > 0) {
      throw new UnknownShardError(
        unknown.sort().join(', '),
        `The directory places workspaces on databases this process is not given: ${unknown.sort().join(', ')} (set TENANT_DATABASES)`,
      );
    }
  }

  /** Every database, main first. */
  all(): { name: string; sequelize: Sequelize }[] {
    return this.names().map((name) => ({ name, sequelize: this.get(name) }));
  }

  /**
   * Brings each extra database's `public` schema to what tenant transactions need there, and
   * copies the permission catalogue from the main database (it changes only with public
   * migrations, which run before this). Idempotent, under an advisory lock per database.
   */
  async prepare(logger: Logger): Promise<void> {
    if (!this.configured) return;
    const catalogue = await this.main.query<{ code: string; scope: string; description: string }>(
      'SELECT code, scope, description FROM public.permissions ORDER BY code',
      { type: QueryTypes.SELECT },
    );
    for (const [name, sequelize] of this.extra) {
      await sequelize.transaction(async (transaction) => {
        const run = (sql: string, replacements?: Record<string, unknown>) =>
          sequelize.query(sql, { transaction, ...(replacements ? { replacements } : {}) });
        await run("SELECT pg_advisory_xact_lock(hashtext('tenant-shard-prepare'))");
        await run('CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public');
        await run('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
        await run(`CREATE TABLE IF NOT EXISTS public.permissions (
          code text PRIMARY KEY, scope text NOT NULL, description text NOT NULL)`);
        await run(`CREATE TABLE IF NOT EXISTS public.job_receipts (
          job_id uuid NOT NULL, effect text NOT NULL, done_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (job_id, effect))`);
        await run('CREATE INDEX IF NOT EXISTS job_receipts_done_at_idx ON public.job_receipts (done_at)');
        if (catalogue.length > 0) {
          await run(
            `INSERT INTO public.permissions (code, scope, description)
             SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS p(code text, scope text, description text)
             ON CONFLICT (code) DO UPDATE SET scope = EXCLUDED.scope, description = EXCLUDED.description`,
            { rows: JSON.stringify(catalogue) },
          );
        }
      });
      logger.debug({ shard: name }, 'tenant database prepared');
    }
  }

  /** Closes the extra pools (the main one belongs to its opener). */
  async close(): Promise<void> {
    for (const sequelize of this.extra.values()) await sequelize.close();
  }
}
