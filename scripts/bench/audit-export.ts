// npm run bench:audit-export -- --rows 100000: the API's memory while it streams a workspace's
// audit trail of that many events (NDJSON and CSV), beside the same export of a tenth and of
// three times as many. Bounded memory: the peak does not grow with the trail. See docs/performance.md.
import 'reflect-metadata';
import { verifiedOwner } from './lib';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../../src/core/config/config';
import { createLogger } from '../../src/core/logger';
import { openRuntime } from '../../src/server';
import { CreateWorkspace } from '../../src/modules/workspace/application/create-workspace.use-case';
import { apiEnv, benchDatabase, httpReady, machine, ROOT, startProcess, table, writeResults } from './lib';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const ROWS = Number(values.rows);
const PASSWORD = 'Bench-Audit-Lantern-7413';
const MiB = 2 ** 20;

/** Resident memory of a process now (VmRSS), in MiB, from /proc (Linux). */
function rss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: Record<string, string> }).data;
}

/** Downloads the export, counting bytes and lines without keeping them, sampling the API's RSS. */
async function exportOnce(api: string, pid: number, token: string, workspaceId: string, format: 'ndjson' | 'csv') {
  const before = rss(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(pid));
  }, 10);
  const started = process.hrtime.bigint();
  const res = await fetch(`${api}/api/v1/workspaces/${workspaceId}/audit-events/export?format=${format}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  clearInterval(sampler);
  peak = Math.max(peak, rss(pid));
  return {
    format,
    lines,
    MiB: Math.round((bytes / MiB) * 10) / 10,
    seconds: Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100,
    rssBeforeMiB: Math.round(before),
    rssPeakMiB: Math.round(peak),
  };
}

async function main() {
  const database = await benchDatabase({ fresh: 'audit' });
  const env = apiEnv(database.url, { NODE_ENV: 'development', BCRYPT_ROUNDS: '4', DB_POOL_MAX: '4' });
  const logger = createLogger({ env: 'production', log: { level: 'warn' } });
  const runtime = await openRuntime(loadConfig({ ...env }), { logger });
  const db = new Client({ connectionString: database.url });
  await db.connect();
  let api: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const { container } = runtime;
    const owner = await verifiedOwner(container, 'Audit Owner', PASSWORD);
    const { email } = owner;
    const ws = await container
      .get(CreateWorkspace)
      .execute({ name: 'Audited', ownerId: owner.id, byPlatformAdmin: true });
    const { rows } = await db.query<{ schema_name: string }>(
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [ws.id],
    );
    const table_ = `"${rows[0]!.schema_name}".audit_events`;
    // Rows shaped like real ones: an actor, an IP and user agent, a request id, a little metadata.
    const seed = (from: number, to: number) =>
      db.query(
        `INSERT INTO ${table_} (at, actor_id, action, target_type, target_id, ip, user_agent, request_id, metadata)
         SELECT now() - make_interval(secs => i), $1::uuid, 'member.invited', 'invitation', gen_random_uuid()::text,
           '203.0.113.' || (i % 250), 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
           gen_random_uuid()::text, jsonb_build_object('role', 'member', 'n', i, 'note', repeat('x', 40))
         FROM generate_series($2::int, $3::int) AS i`,
        [owner.id, from, to],
      );

    api = await startProcess(path.join(ROOT, 'dist/src/main.js'), env, httpReady('/health/ready'));
    const pid = api.child.pid!;
    const login = await post(`${api.url}/api/v1/auth/login`, { email, password: PASSWORD });
    const token = (await post(`${api.url}/api/v1/workspaces/${ws.id}/switch`, undefined, login.accessToken))
      .accessToken!;

    const results: Record<string, string | number>[] = [];
    // A first export warms up the process (code paths, pools), so the sizes compare fairly.
    await seed(1, Math.round(ROWS / 10));
    await exportOnce(api.url, pid, token, ws.id, 'ndjson');
    let seeded = Math.round(ROWS / 10);
    for (const size of [Math.round(ROWS / 10), ROWS, ROWS * 3]) {
      if (size > seeded) await seed(seeded + 1, size);
      seeded = size;
      for (const format of ['ndjson', 'csv'] as const) {
        results.push({ rows: size, ...(await exportOnce(api.url, pid, token, ws.id, format)) });
      }
    }
    process.stdout.write(`${table(results)}\n`);
    const file = writeResults(`audit-export-${ROWS}.json`, { machine: machine(), results });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await api?.stop();
    await db.end();
    await runtime.close();
    await database.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
