import { Inject, Service } from 'typedi';
import type { TenantRecord, TenantSchemaAdmin } from '../domain/ports';
import { TENANT_SCHEMA_ADMIN } from './tokens';

export type TenantOutcome = 'migrated' | 'up_to_date' | 'failed' | 'not_run';

export interface TenantMigrationResult {
  tenant: TenantRecord;
  outcome: TenantOutcome;
  applied: string[];
  durationMs: number;
  error?: string;
}

export interface MigrateTenantsOptions {
  concurrency: number;
  failFast: boolean;
  /**
   * A first wave of this many tenants (after `first`); if any of it fails, the run stops there and
   * every other tenant is left as it was (not_run).
   */
  canary?: number;
  /** Tenants (ids) that go first, in the first wave: a resumed run retries its failures before the rest. */
  first?: string[];
  /** Called as each tenant finishes (progress bars). */
  onResult?: (result: TenantMigrationResult, done: number, total: number) => void;
}

export class MigrationRunInProgressError extends Error {
  constructor() {
    super('Another tenants:migrate run holds the lock; try again when it has finished');
  }
}

/**
 * Brings every tenant schema to the newest tenant migration. Up-to-date tenants are recognised
 * from the directory's schema_version in one query and not touched. Each tenant migrates in its
 * own transaction: a failure leaves that tenant as it was and the run goes on (or stops, with
 * failFast). With a canary, a first wave goes alone and stops the run if any of it fails. Safe
 * to re-run: it resumes where it failed (its failures first, when told which they were).
 */
@Service()
export class MigrateTenants {
  constructor(@Inject(TENANT_SCHEMA_ADMIN) private readonly schemas: TenantSchemaAdmin) {}

  async execute(options: MigrateTenantsOptions): Promise<TenantMigrationResult[]> {
    let results: TenantMigrationResult[] = [];
    const ran = await this.schemas.exclusively('tenant-migrations', async () => {
      results = await this.run(options);
    });
    if (!ran) throw new MigrationRunInProgressError();
    return results;
  }

  private async run(options: MigrateTenantsOptions): Promise<TenantMigrationResult[]> {
    const latest = await this.schemas.latestVersion();
    const tenants = (await this.schemas.listTenants()).filter((t) => t.status !== 'deleted');
    const results: TenantMigrationResult[] = tenants
      .filter((t) => t.schemaVersion === latest)
      .map((tenant) => ({ tenant, outcome: 'up_to_date', applied: [], durationMs: 0 }));
    const behind = tenants.filter((t) => t.schemaVersion !== latest);
    const total = tenants.length;
    results.forEach((r, i) => options.onResult?.(r, i + 1, total));

    // The first wave: the tenants named first (a resumed run's failures), then up to `canary` more.
    const first = new Set(options.first ?? []);
    const named = behind.filter((t) => first.has(t.id));
    const others = behind.filter((t) => !first.has(t.id));
    const waveSize = options.canary !== undefined || named.length > 0 ? named.length + (options.canary ?? 0) : 0;
    const wave = [...named, ...others].slice(0, waveSize);
    const rest = [...named, ...others].slice(waveSize);

    const waveFailed = await this.migrateAll(wave, options, results, total, true);
    if (waveFailed) {
      for (const tenant of rest) {
        results.push({ tenant, outcome: 'not_run', applied: [], durationMs: 0 });
        options.onResult?.(results.at(-1)!, results.length, total);
      }
      return results;
    }
    await this.migrateAll(rest, options, results, total, options.failFast);
    return results;
  }

  /** Migrates the tenants with `concurrency` workers; returns whether any failed. */
  private async migrateAll(
    tenants: TenantRecord[],
    options: MigrateTenantsOptions,
    results: TenantMigrationResult[],
    total: number,
    stopOnFailure: boolean,
  ): Promise<boolean> {
    const queue = [...tenants];
    let failed = false;
    const worker = async () => {
      for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
        if (failed && stopOnFailure) {
          results.push({ tenant, outcome: 'not_run', applied: [], durationMs: 0 });
          options.onResult?.(results.at(-1)!, results.length, total);
          continue;
        }
        const started = performance.now();
        const result: TenantMigrationResult = await this.schemas.migrate(tenant).then(
          (applied) => ({ tenant, outcome: applied.length > 0 ? 'migrated' : 'up_to_date', applied, durationMs: 0 }),
          (err: Error) => ({ tenant, outcome: 'failed', applied: [], durationMs: 0, error: err.message }),
        );
        result.durationMs = Math.round(performance.now() - started);
        if (result.outcome === 'failed') failed = true;
        results.push(result);
        options.onResult?.(result, results.length, total);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, tenants.length || 1)) }, worker));
    return failed;
  }
}
