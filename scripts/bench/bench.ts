// npm run bench: the API's throughput and latency on this machine, beside the framework ceiling
// (bare Koa), bcrypt alone and pgbench running the same SQL transaction. See docs/performance.md.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { Client } from 'pg';
import { SchemaName } from '../../src/core/domain/schema-name';
import {
  apiEnv,
  benchDatabase,
  httpReady,
  machine,
  measure,
  pgbench,
  ROOT,
  startProcess,
  table,
  writeResults,
  type Measured,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SHORT = Number(process.env.BENCH_SHORT_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const MEMBERS = 20;
const PASSWORD = 'Bench-Harbour-Lantern-7413';
// BENCH_API_ENTRY=<another build's dist/src/main.js> measures that build instead (A/B comparisons).
const API_ENTRY = process.env.BENCH_API_ENTRY ?? path.join(ROOT, 'dist/src/main.js');

async function json(url: string, init: RequestInit & { token?: string; body?: string } = {}) {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  const body = (await res.json().catch(() => ({}))) as { data?: Record<string, unknown> };
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body.data as Record<string, unknown> & { id: string };
}

/** An owner in a workspace of MEMBERS members with a custom role, signed in with the workspace active. */
async function seed(api: string, db: Client) {
  const email = `bench-${randomBytes(6).toString('hex')}@example.com`;
  const user = await json(`${api}/api/v1/auth/register`, {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD, name: 'Bench Owner' }),
  });
  await db.query("UPDATE public.users SET email_verified_at = now(), status = 'active' WHERE id = $1", [user.id]);
  const signedIn = await json(`${api}/api/v1/auth/login`, {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const workspace = await json(`${api}/api/v1/workspaces`, {
    method: 'POST',
    token: signedIn.accessToken as string,
    body: JSON.stringify({ name: `Bench ${randomBytes(3).toString('hex')}` }),
  });
  const switched = await json(`${api}/api/v1/workspaces/${workspace.id}/switch`, {
    method: 'POST',
    token: signedIn.accessToken as string,
  });
  const token = switched.accessToken as string;
  const schema = SchemaName.forWorkspace(workspace.id).quoted;
  for (let i = 1; i < MEMBERS; i++) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO public.users (email, password_hash, name, status, email_verified_at)
       VALUES ($1, 'not-a-login', $2, 'active', now()) RETURNING id`,
      [`member-${i}-${email}`, `Member ${i}`],
    );
    await db.query('INSERT INTO public.workspace_memberships (workspace_id, user_id) VALUES ($1, $2)', [
      workspace.id,
      rows[0]!.id,
    ]);
    await db.query(`INSERT INTO ${schema}.members (user_id) VALUES ($1)`, [rows[0]!.id]);
  }
  const role = await json(`${api}/api/v1/workspaces/${workspace.id}/roles`, {
    method: 'POST',
    token,
    body: JSON.stringify({ name: 'bench', permissions: ['users.read'] }),
  });
  return { email, token, workspaceId: workspace.id, roleId: role.id, schema };
}

/** bcrypt.compare as login runs it (SHA-256 prehash, then bcrypt), CONNECTIONS at a time. */
async function bcryptAlone(rounds: number, seconds: number) {
  const prehash = createHash('sha256').update(PASSWORD).digest('base64');
  const hash = await bcrypt.hash(prehash, rounds);
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        await bcrypt.compare(prehash, hash);
        done += 1;
      }
    }),
  );
  return Math.round(done / seconds);
}

/** The targets of docs/performance.md, each checked against a figure and a baseline of the same run. */
const TARGETS = {
  tenantReadRps: 1800,
  tenantReadP99Ms: 50,
  tenantReadOfPgbench: 0.4,
  meRps: 4000,
  liveOfKoaHelmet: 0.35,
  workersGain: 1.3,
};
/** Bare Koa on the machine the absolute targets were set on (docs/performance.md, 2026-11-25). */
const REFERENCE_BARE_KOA_RPS = 49_680;

interface TargetRow {
  target: string;
  measured: string;
  baseline: string;
  result: 'PASS' | 'FAIL' | 'n/a';
}

function targetRows(byName: Record<string, Measured>, raw: ReturnType<typeof pgbench>, machineFactor: number) {
  const read = byName['GET /users (tenant read)'];
  const me = byName['GET /users/me (auth)'];
  const live = byName['GET /health/live'];
  const helmet = byName['bare Koa + helmet'];
  const pair = byName['GET /users (tenant read, 2 workers)'];
  const verdict = (ok: boolean | null): TargetRow['result'] => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');
  const rows: TargetRow[] = [];
  const absolute = (label: string, value: number | undefined, target: number) => {
    const scaled = Math.round(target * machineFactor);
    rows.push({
      target: `${label} >= ${target} req/s`,
      measured: value === undefined ? '-' : `${value} req/s`,
      baseline: `scaled to this machine: ${scaled} (bare Koa ×${machineFactor.toFixed(2)} of the reference)`,
      result: verdict(value === undefined ? null : value >= target),
    });
    rows.push({
      target: `${label} >= ${target} req/s, scaled to this machine`,
      measured: value === undefined ? '-' : `${value} req/s`,
      baseline: `${scaled} req/s`,
      result: verdict(value === undefined ? null : value >= scaled),
    });
  };
  absolute('tenant read', read?.requestsPerSecond, TARGETS.tenantReadRps);
  rows.push({
    target: `tenant read p99 < ${TARGETS.tenantReadP99Ms} ms, zero errors`,
    measured: read ? `p99 ${read.p99} ms, ${read.errors + read.non2xx} errors` : '-',
    baseline: '',
    result: verdict(read ? read.p99 < TARGETS.tenantReadP99Ms && read.errors + read.non2xx === 0 : null),
  });
  rows.push({
    target: `tenant read >= ${TARGETS.tenantReadOfPgbench}x pgbench of the same SQL`,
    measured: read && raw ? `${read.requestsPerSecond} req/s = ${(read.requestsPerSecond / raw.tps).toFixed(2)}x` : '-',
    baseline: raw ? `pgbench ${raw.tps} tps` : 'pgbench not installed',
    result: verdict(read && raw ? read.requestsPerSecond >= TARGETS.tenantReadOfPgbench * raw.tps : null),
  });
  absolute('/users/me', me?.requestsPerSecond, TARGETS.meRps);
  rows.push({
    target: `/health/live >= ${TARGETS.liveOfKoaHelmet}x bare Koa + helmet`,
    measured:
      live && helmet
        ? `${live.requestsPerSecond} req/s = ${(live.requestsPerSecond / helmet.requestsPerSecond).toFixed(2)}x`
        : '-',
    baseline: helmet ? `${helmet.requestsPerSecond} req/s` : '-',
    result: verdict(
      live && helmet ? live.requestsPerSecond >= TARGETS.liveOfKoaHelmet * helmet.requestsPerSecond : null,
    ),
  });
  rows.push({
    target: `2 workers >= ${TARGETS.workersGain}x one worker (tenant read)`,
    measured:
      pair && read
        ? `${pair.requestsPerSecond} req/s = ${(pair.requestsPerSecond / read.requestsPerSecond).toFixed(2)}x`
        : '-',
    baseline: read ? `${read.requestsPerSecond} req/s` : '-',
    result: verdict(pair && read ? pair.requestsPerSecond >= TARGETS.workersGain * read.requestsPerSecond : null),
  });
  return rows;
}

async function main() {
  const database = await benchDatabase();
  const db = new Client({ connectionString: database.url });
  const env = apiEnv(database.url);
  const started: { stop(): Promise<void> }[] = [];
  try {
    const helloScript = path.join(ROOT, 'dist/scripts/bench/hello.js');
    const hello = await startProcess(helloScript, {}, httpReady('/'));
    const helmet = await startProcess(helloScript, { HELLO_HELMET: '1' }, httpReady('/'));
    started.push(hello, helmet);
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/profiles" profiles the API process.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    let api = await startProcess(API_ENTRY, env, httpReady('/health/ready'), nodeArgs);
    started.push(api);
    await db.connect();
    const s = await seed(api.url, db);
    const auth = { authorization: `Bearer ${s.token}` };
    const base = { connections: CONNECTIONS };
    process.stderr.write(`measuring (${SECONDS} s for the tenant read, ${SHORT} s for the others)…\n`);

    // BENCH_ONLY=<substring>[,<substring>…] measures only the matching endpoints (profiling, A/B runs).
    const only = process.env.BENCH_ONLY;
    const selected = (name: string) => !only || only.split(',').some((part) => name.includes(part));
    const runs: Measured[] = [];
    const run = async (name: string, options: Parameters<typeof measure>[1]) => {
      if (selected(name)) runs.push(await measure(name, { ...base, ...options }));
    };
    await run('bare Koa hello world', { url: hello.url, duration: SHORT, pid: hello.child.pid });
    await run('bare Koa + helmet', { url: helmet.url, duration: SHORT, pid: helmet.child.pid });
    await run('GET /health/live', { url: `${api.url}/health/live`, duration: SHORT, pid: api.child.pid });
    await run('GET /users/me (auth)', {
      url: `${api.url}/api/v1/users/me`,
      headers: auth,
      duration: SHORT,
      pid: api.child.pid,
    });
    await run('GET /users (tenant read)', {
      url: `${api.url}/api/v1/users?limit=${MEMBERS}`,
      headers: auth,
      duration: SECONDS,
      pid: api.child.pid,
    });
    await run('PUT /roles/{id} (tenant write)', {
      url: `${api.url}/api/v1/workspaces/${s.workspaceId}/roles/${s.roleId}`,
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'benchmarked' }),
      duration: SHORT,
      pid: api.child.pid,
    });
    await run('POST /auth/login (bcrypt)', {
      url: `${api.url}/api/v1/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: s.email, password: PASSWORD }),
      duration: SECONDS,
      warmupSeconds: 2,
      // bcrypt runs on libuv's 4 threads: more connections only queue (and time out).
      connections: 4,
      pid: api.child.pid,
    });
    // The same read on two worker processes (node:cluster; needs Redis), from the same seed.
    if (process.env.REDIS_URL && selected('GET /users (tenant read, 2 workers)')) {
      await api.stop();
      started.splice(started.indexOf(api), 1);
      api = await startProcess(
        API_ENTRY,
        { ...env, WEB_CONCURRENCY: '2', PORT: new URL(api.url).port },
        httpReady('/health/ready'),
      );
      started.push(api);
      await run('GET /users (tenant read, 2 workers)', {
        url: `${api.url}/api/v1/users?limit=${MEMBERS}`,
        headers: auth,
        duration: SECONDS,
        pid: api.child.pid,
      });
    }
    const runTable = table(
      runs.map((r) => ({
        endpoint: r.name,
        'req/s': r.requestsPerSecond,
        'p50 ms': r.p50,
        'p97.5 ms': r.p97_5,
        'p99 ms': r.p99,
        'CPU µs/req': r.cpuUsPerRequest ?? '-',
        errors: r.errors + r.non2xx,
      })),
    );
    if (only) {
      process.stdout.write(`${runTable}\n`);
      return;
    }
    const rounds = Number(env.BCRYPT_ROUNDS);
    const bcryptPerSecond = await bcryptAlone(rounds, 5);

    // The tenant read's SQL as the API sends it: one simple-protocol message (`\\;` keeps pgbench
    // from splitting it), so pgbench and the API do the same work in PostgreSQL.
    const select = `SELECT u.id, u.email, u.name, u.avatar_url, u.locale, u.timezone, u.status, u.email_verified_at, u.last_login_at, u.created_at, u.updated_at, count(*) OVER () AS total FROM members m JOIN public.users u ON u.id = m.user_id WHERE u.deleted_at IS NULL ORDER BY u.created_at ASC, u.id ASC LIMIT ${MEMBERS} OFFSET 0`;
    const sameWork = `SET LOCAL search_path TO ${s.schema}, public \\; SET LOCAL transaction_read_only TO on \\; ${select};\n`;
    const raw = pgbench(database.url, sameWork, { clients: CONNECTIONS, seconds: SHORT });

    const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
    const login = byName['POST /auth/login (bcrypt)']!;
    const machineFactor = byName['bare Koa hello world']!.requestsPerSecond / REFERENCE_BARE_KOA_RPS;
    const targets = targetRows(byName, raw, machineFactor);
    const results = {
      machine: machine(),
      settings: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        shortSeconds: SHORT,
        logLevel: env.LOG_LEVEL,
        bcryptRounds: rounds,
        poolMax: Number(env.DB_POOL_MAX),
      },
      runs,
      bcrypt: {
        rounds,
        comparesPerSecond: bcryptPerSecond,
        loginShare: Number((login.requestsPerSecond / bcryptPerSecond).toFixed(2)),
      },
      pgbench: raw,
      machineFactor: Number(machineFactor.toFixed(2)),
      targets,
    };
    const summary = [
      runTable,
      '',
      `bcrypt alone (cost ${rounds}): ${bcryptPerSecond}/s; login reaches ${results.bcrypt.loginShare} of it`,
      raw
        ? `pgbench, the tenant read's SQL as the API sends it, ${CONNECTIONS} clients: ${raw.tps} tps (${raw.latencyMs} ms mean)`
        : 'pgbench: not installed, skipped',
      `this machine's bare Koa is ×${machineFactor.toFixed(2)} of the reference machine's (${REFERENCE_BARE_KOA_RPS} req/s)`,
      '',
      table(targets as unknown as Record<string, string>[]),
      '',
      `written to ${writeResults('latest.json', results)}`,
    ];
    process.stdout.write(`${summary.join('\n')}\n`);
  } finally {
    await db.end().catch(() => undefined);
    for (const child of started.reverse()) await child.stop();
    await database.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exit(1);
});
