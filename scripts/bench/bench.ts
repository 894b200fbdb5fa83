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

async function main() {
  const database = await benchDatabase();
  const db = new Client({ connectionString: database.url });
  const env = apiEnv(database.url);
  const started: { stop(): Promise<void> }[] = [];
  try {
    const hello = await startProcess(path.join(ROOT, 'dist/scripts/bench/hello.js'), {}, httpReady('/'));
    started.push(hello);
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/profiles" profiles the API process.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const api = await startProcess(path.join(ROOT, 'dist/src/main.js'), env, httpReady('/health/ready'), nodeArgs);
    started.push(api);
    await db.connect();
    const s = await seed(api.url, db);
    const auth = { authorization: `Bearer ${s.token}` };
    const base = { connections: CONNECTIONS };
    process.stderr.write(`measuring (${SECONDS} s for the tenant read, ${SHORT} s for the others)…\n`);

    const runs: Measured[] = [];
    // BENCH_ONLY=<substring> measures only the matching endpoints (for profiling one of them).
    const only = process.env.BENCH_ONLY;
    const wanted = (name: string) => !only || name.includes(only);
    if (wanted('bare Koa hello world'))
      runs.push(await measure('bare Koa hello world', { ...base, url: hello.url, duration: SHORT }));
    if (wanted('GET /health/live'))
      runs.push(await measure('GET /health/live', { ...base, url: `${api.url}/health/live`, duration: SHORT }));
    if (wanted('GET /users/me (auth)'))
      runs.push(
        await measure('GET /users/me (auth)', {
          ...base,
          url: `${api.url}/api/v1/users/me`,
          headers: auth,
          duration: SHORT,
        }),
      );
    if (wanted('GET /users (tenant read)'))
      runs.push(
        await measure('GET /users (tenant read)', {
          ...base,
          url: `${api.url}/api/v1/users?limit=${MEMBERS}`,
          headers: auth,
          duration: SECONDS,
        }),
      );
    if (wanted('PUT /roles/{id} (tenant write)'))
      runs.push(
        await measure('PUT /roles/{id} (tenant write)', {
          ...base,
          url: `${api.url}/api/v1/workspaces/${s.workspaceId}/roles/${s.roleId}`,
          method: 'PUT',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ description: 'benchmarked' }),
          duration: SHORT,
        }),
      );
    if (wanted('POST /auth/login (bcrypt)'))
      runs.push(
        await measure('POST /auth/login (bcrypt)', {
          ...base,
          url: `${api.url}/api/v1/auth/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: s.email, password: PASSWORD }),
          duration: SECONDS,
          warmupSeconds: 2,
          // bcrypt runs on libuv's 4 threads: more connections only queue (and time out).
          connections: 4,
        }),
      );
    // The same read on two worker processes (node:cluster; needs Redis), from the same seed.
    if (process.env.REDIS_URL && wanted('GET /users (tenant read, 2 workers)')) {
      await api.stop();
      started.pop();
      const pair = await startProcess(
        path.join(ROOT, 'dist/src/main.js'),
        { ...env, WEB_CONCURRENCY: '2', PORT: new URL(api.url).port },
        httpReady('/health/ready'),
      );
      started.push(pair);
      runs.push(
        await measure('GET /users (tenant read, 2 workers)', {
          ...base,
          url: `${pair.url}/api/v1/users?limit=${MEMBERS}`,
          headers: auth,
          duration: SECONDS,
        }),
      );
    }
    if (only) {
      process.stdout.write(
        `${table(runs.map((r) => ({ endpoint: r.name, 'req/s': r.requestsPerSecond, 'p99 ms': r.p99, statuses: JSON.stringify(r.statuses) })))}\n`,
      );
      return;
    }
    const rounds = Number(env.BCRYPT_ROUNDS);
    const bcryptPerSecond = await bcryptAlone(rounds, 5);

    // The tenant read's transaction, as the API runs it, straight into PostgreSQL.
    const sql = `BEGIN;
SET LOCAL search_path TO ${s.schema}, public;
SELECT u.id, u.email, u.name, u.avatar_url, u.timezone, u.status, u.created_at, count(*) OVER () AS total FROM members m JOIN public.users u ON u.id = m.user_id WHERE u.deleted_at IS NULL ORDER BY u.created_at ASC, u.id ASC LIMIT ${MEMBERS} OFFSET 0;
COMMIT;
`;
    const raw = pgbench(database.url, sql, { clients: CONNECTIONS, seconds: SHORT });

    const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
    const read = byName['GET /users (tenant read)']!;
    const live = byName['GET /health/live']!;
    const ceiling = byName['bare Koa hello world']!;
    const login = byName['POST /auth/login (bcrypt)']!;
    const targets = {
      tenantReadAtLeast1000rps: read.requestsPerSecond >= 1000,
      tenantReadZeroErrors: read.errors === 0 && read.non2xx === 0,
      tenantReadP99Under100ms: read.p99 < 100,
      tenantReadHalfOfPgbench: raw ? read.requestsPerSecond >= raw.tps / 2 : null,
      liveWithin70PercentOfKoa: live.requestsPerSecond >= 0.7 * ceiling.requestsPerSecond,
    };
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
      pgbench: raw ? { ...raw, apiRatio: Number((read.requestsPerSecond / raw.tps).toFixed(2)) } : null,
      targets,
    };
    const summary = [
      table(
        runs.map((r) => ({
          endpoint: r.name,
          'req/s': r.requestsPerSecond,
          'p50 ms': r.p50,
          'p97.5 ms': r.p97_5,
          'p99 ms': r.p99,
          errors: r.errors + r.non2xx,
        })),
      ),
      '',
      `bcrypt alone (cost ${rounds}): ${bcryptPerSecond}/s; login reaches ${results.bcrypt.loginShare} of it`,
      raw
        ? `pgbench, same transaction, ${CONNECTIONS} clients: ${raw.tps} tps (${raw.latencyMs} ms mean); the API reaches ${results.pgbench?.apiRatio} of it`
        : 'pgbench: not installed, skipped',
      `/health/live reaches ${(live.requestsPerSecond / ceiling.requestsPerSecond).toFixed(2)} of bare Koa`,
      '',
      `targets: ${JSON.stringify(targets)}`,
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
