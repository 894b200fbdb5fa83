// npm run bench:tenants -- --tenants 1000: provisioning, migrating and reading at many tenants,
// each beside the raw cost measured in the same run. See docs/performance.md.
import 'reflect-metadata';
import { verifiedOwner } from './lib';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../../src/core/config/config';
import { SchemaName } from '../../src/core/domain/schema-name';
import { createLogger } from '../../src/core/logger';
import { openRuntime } from '../../src/server';
import { CreateWorkspace } from '../../src/modules/workspace/application/create-workspace.use-case';
import { apiEnv, benchDatabase, httpReady, machine, measure, ROOT, startProcess, table, writeResults } from './lib';

const { values } = parseArgs({
  options: { tenants: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '15' } },
});
const N = Number(values.tenants);
const SECONDS = Number(values.seconds);
const PASSWORD = 'Bench-Tenant-Lantern-7413';
const SAMPLE = Math.min(100, N);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const round = (n: number) => Math.round(n * 10) / 10;
/** The median of the last 500 provisioning times: shows whether provisioning slows as tenants pile up. */
const recentP50 = (all: number[]) =>
  percentile(
    [...all.slice(-500)].sort((a, b) => a - b),
    50,
  );

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: Record<string, string> }).data;
}

/** A token whose active workspace is the given one (login, then switch). */
async function tokenFor(api: string, email: string, workspaceId: string): Promise<string> {
  const login = await post(`${api}/api/v1/auth/login`, { email, password: PASSWORD });
  return (await post(`${api}/api/v1/workspaces/${workspaceId}/switch`, undefined, login.accessToken)).accessToken!;
}

async function rssMiB(api: string, metricsToken: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  return Math.round(Number(/process_resident_memory_bytes (\d+)/.exec(text)?.[1] ?? 0) / 2 ** 20);
}

async function main() {
  const database = await benchDatabase({ fresh: 'tenants' });
  const metricsToken = randomBytes(16).toString('hex');
  // Development mode only to allow bcrypt cost 4: this bench signs in N times and measures no login.
  const env = apiEnv(database.url, { NODE_ENV: 'development', BCRYPT_ROUNDS: '4', METRICS_TOKEN: metricsToken });
  const logger = createLogger({ env: 'production', log: { level: 'warn' } });
  const runtime = await openRuntime(loadConfig({ ...env, DB_POOL_MAX: '4' }), { logger });
  const db = new Client({ connectionString: database.url });
  await db.connect();
  let api: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const { container } = runtime;
    const owner = await verifiedOwner(container, 'Tenant Owner', PASSWORD);
    const { email } = owner;
    const provision = container.get(CreateWorkspace);
    const workspaces: string[] = [];
    const durations: number[] = [];
    const provisionOne = async (i: number) => {
      const started = process.hrtime.bigint();
      const ws = await provision.execute({ name: `Tenant ${i}`, ownerId: owner.id, byPlatformAdmin: true });
      durations.push(ms(started));
      workspaces.push(ws.id);
    };

    // One tenant: its read latency is the baseline.
    await provisionOne(0);
    api = await startProcess(path.join(ROOT, 'dist/src/main.js'), env, httpReady('/health/ready'));
    const list = (token: string) => ({
      method: 'GET' as const,
      path: '/api/v1/users?limit=20',
      headers: { authorization: `Bearer ${token}` },
    });
    const one = await tokenFor(api.url, email, workspaces[0]!);
    // Each read is measured twice: cold (the first pass: new backends load each tenant's catalog
    // entries and plans) and warm (the figure the target compares).
    const readOneCold = await measure('tenant read, 1 tenant, cold', {
      url: api.url,
      connections: 32,
      duration: SECONDS,
      requests: [list(one)],
    });
    const readOne = await measure('tenant read, 1 tenant', {
      url: api.url,
      connections: 32,
      duration: SECONDS,
      requests: [list(one)],
    });

    process.stderr.write(`provisioning ${N} tenants…\n`);
    const provisioningStarted = process.hrtime.bigint();
    for (let i = 1; i < N; i++) {
      await provisionOne(i);
      if (i % 500 === 0) {
        const rate = Math.round(i / (ms(provisioningStarted) / 1000));
        process.stderr.write(`  ${i} of ${N} provisioned (${rate}/s, last p50 ${round(recentP50(durations))} ms)\n`);
      }
    }
    const sorted = [...durations].sort((a, b) => a - b);

    // The same tenant, created straight from a dump of a provisioned one, in one transaction.
    const schema = SchemaName.forWorkspace(workspaces[0]!).value;
    const dump = spawnSync('pg_dump', ['--no-owner', '--no-privileges', '--inserts', '-n', schema, database.url], {
      encoding: 'utf8',
    });
    const raw: number[] = [];
    if (dump.status === 0) {
      // Only the statements (pg_dump's session settings would reset the search_path).
      const sql = dump.stdout.replace(/^(SET|SELECT pg_catalog\.set_config|\\).*$/gm, '');
      for (let i = 0; i < 20; i++) {
        const copy = `raw_${randomBytes(6).toString('hex')}`;
        const started = process.hrtime.bigint();
        await db.query(`BEGIN; ${sql.split(schema).join(copy)} COMMIT;`);
        raw.push(ms(started));
        await db.query(`DROP SCHEMA ${copy} CASCADE`);
      }
    }
    const rawSorted = raw.sort((a, b) => a - b);

    // One new tenant migration, run over every tenant; then a run with nothing to do.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-migrations-'));
    for (const file of fs.readdirSync(path.join(ROOT, 'dist/tenants/migrations')).filter((f) => f.endsWith('.js'))) {
      fs.symlinkSync(path.join(ROOT, 'dist/tenants/migrations', file), path.join(dir, file));
    }
    fs.writeFileSync(
      path.join(dir, '29991231000000-bench-notes.js'),
      "exports.up = async ({ context: { query } }) => { await query('CREATE TABLE bench_notes (id int PRIMARY KEY, body text)'); };\n" +
        "exports.down = async ({ context: { query } }) => { await query('DROP TABLE bench_notes'); };\n",
    );
    const migrateEnv = { ...process.env, ...env, TENANT_MIGRATIONS_DIR: dir, LOG_LEVEL: 'error' };
    const timeMigrate = () => {
      const started = process.hrtime.bigint();
      execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/tenants-migrate.js'), '--concurrency', '8'], {
        env: migrateEnv,
        stdio: 'ignore',
      });
      return ms(started);
    };
    const migrateAll = timeMigrate();
    const migrateNothing = timeMigrate();
    // The raw cost of the migration's DDL: the same statement in each schema, in one session.
    const rawMigrateStarted = process.hrtime.bigint();
    for (const id of workspaces) {
      await db.query(`CREATE TABLE ${SchemaName.forWorkspace(id).quoted}.bench_raw (id int PRIMARY KEY, body text)`);
    }
    const rawMigrate = ms(rawMigrateStarted);
    fs.rmSync(dir, { recursive: true, force: true });

    // Reads spread over SAMPLE tenants, then every tenant touched once for the memory figure.
    const tokens: string[] = [];
    for (const id of workspaces.slice(-SAMPLE)) tokens.push(await tokenFor(api.url, email, id));
    const readManyCold = await measure(`tenant read, ${N} tenants (${SAMPLE} active), cold`, {
      url: api.url,
      connections: 32,
      duration: SECONDS,
      requests: tokens.map(list),
    });
    const readMany = await measure(`tenant read, ${N} tenants (${SAMPLE} active)`, {
      url: api.url,
      connections: 32,
      duration: SECONDS,
      requests: tokens.map(list),
    });
    const rssBefore = await rssMiB(api.url, metricsToken);
    for (const id of workspaces) {
      const token = await tokenFor(api.url, email, id);
      await fetch(`${api.url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    }
    const rssAll = await rssMiB(api.url, metricsToken);
    const postgres = postgresMemory();

    const results = {
      machine: machine(),
      tenants: N,
      provisioning: {
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        rawP50Ms: raw.length ? round(percentile(rawSorted, 50)) : null,
        ratio: raw.length ? round(percentile(sorted, 50) / percentile(rawSorted, 50)) : null,
      },
      migrate: {
        oneMigrationAllTenantsMs: Math.round(migrateAll),
        perTenantMs: round(migrateAll / N),
        nothingToDoMs: Math.round(migrateNothing),
        rawDdlAllTenantsMs: Math.round(rawMigrate),
      },
      reads: {
        oneTenant: readOne,
        manyTenants: readMany,
        p99Ratio: round(readMany.p99 / Math.max(1, readOne.p99)),
        cold: { oneTenant: readOneCold, manyTenants: readManyCold },
      },
      memory: {
        rssMiBAfterSampleReads: rssBefore,
        rssMiBAfterAllTenantsRead: rssAll,
        poolMax: Number(env.DB_POOL_MAX),
        postgresRssMiB: postgres.rssMiB,
        postgresProcesses: postgres.processes,
        catalogRelations: Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_class')).rows[0]!.n),
      },
    };
    const ratio = results.provisioning.ratio;
    const targets = [
      ['provisioning p50 within 1.3x of the raw restore', ratio === null ? null : ratio <= 1.3, `×${ratio ?? 'n/a'}`],
      [`one new migration over ${N} tenants < 60 s`, migrateAll < 60_000, `${Math.round(migrateAll / 100) / 10} s`],
      [`a no-op migrate over ${N} tenants < 5 s`, migrateNothing < 5_000, `${Math.round(migrateNothing / 100) / 10} s`],
      [`read p99 at ${N} tenants within 1.25x of one`, results.reads.p99Ratio <= 1.25, `×${results.reads.p99Ratio}`],
    ] as const;
    process.stdout.write(
      [
        table([
          {
            figure: `provisioning p50 / p99 (${N} tenants)`,
            value: `${results.provisioning.p50Ms} / ${results.provisioning.p99Ms} ms`,
          },
          {
            figure: 'raw DDL + seed of one tenant, p50 (same dump)',
            value: `${results.provisioning.rawP50Ms ?? 'n/a'} ms (×${results.provisioning.ratio ?? 'n/a'})`,
          },
          {
            figure: `one new migration over ${N} tenants`,
            value: `${results.migrate.oneMigrationAllTenantsMs} ms (${results.migrate.perTenantMs} ms each)`,
          },
          { figure: 'the same DDL straight into every schema', value: `${results.migrate.rawDdlAllTenantsMs} ms` },
          { figure: `migrate run with nothing to do (${N} tenants)`, value: `${results.migrate.nothingToDoMs} ms` },
          { figure: 'tenant read p99, 1 tenant', value: `${readOne.p99} ms (${readOne.requestsPerSecond} req/s)` },
          {
            figure: `tenant read p99, ${N} tenants (${SAMPLE} active)`,
            value: `${readMany.p99} ms (${readMany.requestsPerSecond} req/s, ×${results.reads.p99Ratio})`,
          },
          {
            figure: 'the same two reads cold (first pass), p99',
            value: `${readOneCold.p99} ms (${readOneCold.requestsPerSecond} req/s) / ${readManyCold.p99} ms (${readManyCold.requestsPerSecond} req/s)`,
          },
          { figure: `API RSS after reading all ${N} tenants`, value: `${rssAll} MiB (${rssBefore} MiB before)` },
          {
            figure: 'PostgreSQL RSS at the end (all its processes)',
            value: `${postgres.rssMiB} MiB over ${postgres.processes} processes; ${results.memory.catalogRelations} relations in pg_class`,
          },
        ]),
        table(
          targets.map(([target, met, value]) => ({
            target,
            value,
            result: met === null ? 'n/a' : met ? 'PASS' : 'FAIL',
          })),
        ),
        `written to ${writeResults('tenants-latest.json', results)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await api?.stop();
    await db.end();
    await runtime.close();
    await database.stop();
  }
}

/**
 * The resident memory of the PostgreSQL server processes on this machine (postmaster and
 * backends), summed from /proc: shared buffers are counted once per process that touched them,
 * so this overstates, never understates.
 */
function postgresMemory(): { rssMiB: number; processes: number } {
  let kib = 0;
  let processes = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s+postgres/m.test(status)) continue;
      kib += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      processes += 1;
    } catch {
      // The process ended while we looked.
    }
  }
  return { rssMiB: Math.round(kib / 1024), processes };
}

main().catch((err: Error) => {
  process.stderr.write(`bench:tenants failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
