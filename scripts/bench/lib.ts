import { randomBytes, randomUUID } from 'node:crypto';
import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { PASSWORD_HASHER } from '../../src/modules/auth/auth.public';
import { Email, USER_REPOSITORY, User } from '../../src/modules/user/user.public';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/core/infrastructure/database/embedded-postgres';
import { createLogger } from '../../src/core/logger';

export const ROOT = path.resolve(__dirname, '../../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The database to benchmark against: `<database>_bench` on the configured server (created if
 * missing, so a bench never touches the data or the tests' database), or a throwaway embedded
 * PostgreSQL when none is configured.
 */
export async function benchDatabase(options: { fresh?: string } = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const configured = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (configured) {
    const url = new URL(configured);
    const suffix = options.fresh ? `_bench_${options.fresh}` : '_bench';
    const name = process.env.BENCH_DATABASE_URL
      ? url.pathname.slice(1)
      : `${url.pathname.slice(1) || 'postgres'}${suffix}`;
    const admin = new Client({ connectionString: configured });
    await admin.connect();
    // A fresh database when asked: the figures must not depend on what an earlier run left.
    if (options.fresh) await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    await admin.end();
    url.pathname = `/${name}`;
    return { url: url.toString(), stop: async () => undefined };
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-api-bench-'));
  fs.chmodSync(root, 0o755);
  const embedded = await startEmbeddedPostgres({
    dir: path.join(root, 'pg'),
    port: await freePort(),
    database: 'tenant_api_bench',
    logger: createLogger({ env: 'production', log: { level: 'warn' } }),
    persistent: false,
  });
  return {
    url: embedded.url,
    stop: async () => {
      await embedded.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface AppProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node <script>` and waits until it answers (or says "listening <port>"). */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  ready: (port: number) => Promise<boolean>,
  nodeArgs: string[] = [],
): Promise<AppProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  while (!(await ready(port).catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${script} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const httpReady = (pathname: string) => async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}${pathname}`)).ok;

/** The API process as `npm start` runs it, in production mode with generous rate limits. */
export function apiEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    ...(process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:` }
      : {}),
    JWT_SECRET: randomBytes(32).toString('hex'),
    REFRESH_TOKEN_SECRET: randomBytes(32).toString('hex'),
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    RATE_LIMIT_MAX_REQUESTS: '10000000',
    AUTH_RATE_LIMIT_MAX: '10000000',
    BCRYPT_ROUNDS: process.env.BCRYPT_ROUNDS ?? '12',
    DB_POOL_MAX: process.env.DB_POOL_MAX ?? '10',
    ...extra,
  };
}

export interface Measured {
  name: string;
  /** The server process's CPU time per request (µs), the figure least moved by a busy machine. */
  cpuUsPerRequest: number | null;
  requestsPerSecond: number;
  p50: number;
  p97_5: number;
  p99: number;
  errors: number;
  non2xx: number;
  durationSeconds: number;
  connections: number;
  /** Responses per HTTP status. */
  statuses: Record<string, number>;
}

/** CPU seconds (user + system) a process and its children have used, from /proc (Linux). */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const ticks = (p: number) => {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const fields = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    };
    const children = fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number);
    return [pid, ...children].reduce((sum, p) => sum + ticks(p), 0) / 100;
  } catch {
    return null;
  }
}

export async function measure(
  name: string,
  options: autocannon.Options & { warmupSeconds?: number; pid?: number },
): Promise<Measured> {
  const { warmupSeconds = 3, pid, ...rest } = options;
  if (warmupSeconds > 0) await autocannon({ ...rest, duration: warmupSeconds });
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon(rest);
  const cpuAfter = cpuSeconds(pid);
  const cpuUsPerRequest =
    cpuBefore !== null && cpuAfter !== null && result.requests.total > 0
      ? Math.round(((cpuAfter - cpuBefore) * 1e6) / result.requests.total)
      : null;
  return {
    cpuUsPerRequest,
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [
        status,
        (stats as { count: number }).count,
      ]),
    ),
    durationSeconds: Number(rest.duration ?? 10),
    connections: Number(rest.connections ?? 10),
  };
}

/** pgbench with a custom script: transactions per second and mean latency, or null without pgbench. */
export function pgbench(
  databaseUrl: string,
  sql: string,
  options: { clients: number; seconds: number },
): { tps: number; latencyMs: number } | null {
  if (spawnSync('pgbench', ['--version']).status !== 0) return null;
  const file = path.join(os.tmpdir(), `bench-${randomBytes(4).toString('hex')}.sql`);
  fs.writeFileSync(file, sql);
  const run = spawnSync(
    'pgbench',
    ['-n', '-c', String(options.clients), '-j', '2', '-T', String(options.seconds), '-f', file, databaseUrl],
    { encoding: 'utf8' },
  );
  fs.rmSync(file, { force: true });
  const tps = /tps = ([\d.]+)/.exec(run.stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(run.stdout)?.[1];
  if (!tps) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
  return { tps: Math.round(Number(tps)), latencyMs: Number(latency) };
}

export function table(rows: Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0] ?? {});
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [
    line(keys),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => String(r[k])))),
  ].join('\n');
}

export function writeResults(file: string, results: unknown): string {
  const target = path.join(ROOT, 'bench/results', file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(results, null, 2)}\n`);
  return path.relative(ROOT, target);
}

export function machine() {
  return {
    date: new Date().toISOString(),
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    database: process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL ? 'configured server' : 'embedded',
    redis: Boolean(process.env.REDIS_URL),
  };
}

/** A verified account to own the bench's workspaces, created through the app's own repository. */
export async function verifiedOwner(
  container: ContainerInstance,
  name: string,
  password: string,
): Promise<{ id: string; email: string }> {
  const email = `owner-${randomBytes(4).toString('hex')}@example.com`;
  const now = container.get(TOKENS.clock).now();
  const owner = User.register({
    id: randomUUID(),
    email: Email.create(email),
    name,
    passwordHash: await container.get(PASSWORD_HASHER).hash(password),
    now,
  });
  owner.verifyEmail(now);
  await container.get(USER_REPOSITORY).create(owner);
  return { id: owner.id, email };
}
