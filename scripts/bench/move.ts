// npm run bench:move -- --rows 200000: moves a workspace whose audit trail holds that many events
// to a second database and back (ADR 0012) while a client keeps reading and writing it through
// the API, and prints how long its writes were frozen, the copy's rate and what the client saw.
// See docs/performance.md.
import 'reflect-metadata';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../../src/core/config/config';
import { createLogger } from '../../src/core/logger';
import { MoveTenant } from '../../src/modules/lifecycle/application/move-tenant.use-case';
import { CreateWorkspace } from '../../src/modules/workspace/application/create-workspace.use-case';
import { openRuntime } from '../../src/server';
import {
  apiEnv,
  benchDatabase,
  httpReady,
  machine,
  ROOT,
  startProcess,
  table,
  verifiedOwner,
  writeResults,
} from './lib';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' } } });
const ROWS = Number(values.rows);
const PASSWORD = 'Bench-Move-Lantern-7413';

async function call(url: string, method: string, body: unknown, token?: string) {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function data(res: Response): Promise<Record<string, string>> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: Record<string, string> }).data;
}

/** A client that writes (a role) and reads (the roles) in turn until stopped; statuses counted. */
function traffic(api: string, workspaceId: string, token: string, label: string) {
  const seen: Record<string, number> = {};
  let stop = false;
  let n = 0;
  const count = (kind: string, status: number) => {
    seen[`${kind} ${status}`] = (seen[`${kind} ${status}`] ?? 0) + 1;
  };
  const done = (async () => {
    while (!stop) {
      n += 1;
      const write = await call(
        `${api}/api/v1/workspaces/${workspaceId}/roles`,
        'POST',
        { name: `${label}${n}` },
        token,
      );
      count('write', write.status);
      await write.arrayBuffer();
      const read = await call(`${api}/api/v1/workspaces/${workspaceId}/roles`, 'GET', undefined, token);
      count('read', read.status);
      await read.arrayBuffer();
    }
  })();
  return {
    stop: async () => {
      stop = true;
      await done;
      return seen;
    },
  };
}

async function main() {
  const database = await benchDatabase({ fresh: 'move' });
  // The second database, on the same server.
  const shardUrl = new URL(database.url);
  shardUrl.pathname = `${shardUrl.pathname}_shard`;
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  const shardName = shardUrl.pathname.slice(1).replace(/"/g, '""');
  await admin.query(`DROP DATABASE IF EXISTS "${shardName}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${shardName}"`);
  const env = apiEnv(database.url, {
    NODE_ENV: 'development',
    BCRYPT_ROUNDS: '4',
    DB_POOL_MAX: '4',
    TENANT_DATABASES: `east=${shardUrl.toString()}`,
    TENANT_PLACEMENT: 'main',
    RATE_LIMIT_MAX_REQUESTS: '1000000',
  });
  const logger = createLogger({ env: 'production', log: { level: 'warn' } });
  const runtime = await openRuntime(loadConfig({ ...env }), { logger });
  let api: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const { container } = runtime;
    const owner = await verifiedOwner(container, 'Move Owner', PASSWORD);
    const ws = await container
      .get(CreateWorkspace)
      .execute({ name: 'Moving', ownerId: owner.id, byPlatformAdmin: true });
    const schema = ws.schemaName.quoted;
    await admin.query(
      `INSERT INTO ${schema}.audit_events (at, actor_id, action, target_type, target_id, ip, user_agent, request_id, metadata)
       SELECT now() - make_interval(secs => i), $1::uuid, 'member.invited', 'invitation', gen_random_uuid()::text,
         '203.0.113.' || (i % 250), 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
         gen_random_uuid()::text, jsonb_build_object('role', 'member', 'n', i, 'note', repeat('x', 40))
       FROM generate_series(1, $2::int) AS i`,
      [owner.id, ROWS],
    );
    const size = await admin.query<{ mib: number }>(
      `SELECT round(sum(pg_total_relation_size(c.oid)) / 1048576.0, 1)::float AS mib
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [ws.schemaName.value],
    );

    api = await startProcess(path.join(ROOT, 'dist/src/main.js'), env, httpReady('/health/ready'));
    const login = await data(
      await call(`${api.url}/api/v1/auth/login`, 'POST', { email: owner.email, password: PASSWORD }),
    );
    const token = (
      await data(await call(`${api.url}/api/v1/workspaces/${ws.id}/switch`, 'POST', undefined, login.accessToken))
    ).accessToken!;

    const results: Record<string, string | number>[] = [];
    for (const to of ['east', 'main']) {
      const client = traffic(api.url, ws.id, token, `to_${to}_`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = process.hrtime.bigint();
      const report = await container.get(MoveTenant).execute({ workspace: ws.id, to });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const seen = await client.stop();
      const rows = Object.values(report.tables).reduce((sum, t) => sum + t.rows, 0);
      results.push({
        move: `${report.from} → ${report.to}`,
        rows,
        MiB: size.rows[0]!.mib,
        seconds: Math.round(seconds * 100) / 100,
        'rows/s': Math.round(rows / seconds),
        frozenMs: report.frozenMs,
        'copy ms': report.phases.copyMs,
        'verify ms': report.phases.verifyMs,
        client: Object.entries(seen)
          .sort()
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
      });
    }
    process.stdout.write(`${table(results)}\n`);
    const file = writeResults(`move-${ROWS}.json`, { machine: machine(), results });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await api?.stop();
    await runtime.close();
    await admin.query(`DROP DATABASE IF EXISTS "${shardName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await database.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
