import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Helpers of the suites that run the compiled server and scripts as real processes. */
export const ROOT = path.resolve(__dirname, '../..');

/**
 * Compiles to dist/ as `npm start` does (incremental: cheaper when dist is current). globalSetup
 * runs it once for the whole run, so the suites that spawn dist/ share one build instead of each
 * compiling (and two workers never write dist/ at the same time).
 */
export function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`tsc -p tsconfig.build.json failed:\n${stdout}${stderr}`, { cause: err }));
        else resolve();
      },
    );
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Polls the URL until it answers 200; fails if the process exits first or time runs out. */
export async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited early with ${child.exitCode}`);
    const res = await fetch(url).catch(() => null);
    if (res?.status === 200) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a compiled admin script the way `npm run` does, against the test database (stdin is no terminal). */
export function runScript(name: string, args: string[], env: Record<string, string> = {}): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'dist/scripts', `${name}.js`), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: process.env.DATABASE_URL, ...env },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A tenant migrations folder as a release that adds one would ship: the real compiled migrations
 * (linked, so their imports resolve from their real location) plus `extra` (file name → source).
 */
export function tenantMigrationsWith(extra: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-migrations-'));
  const compiled = path.join(ROOT, 'dist/tenants/migrations');
  for (const file of fs.readdirSync(compiled).filter((f) => f.endsWith('.js'))) {
    fs.symlinkSync(path.join(compiled, file), path.join(dir, file));
  }
  for (const [file, source] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), source);
  return dir;
}

/** A child process whose stdout and stderr are kept (the last 64 KiB of each) to explain a failure. */
export interface Spawned {
  child: ChildProcess;
  name: string;
  output(): string;
  exited: Promise<number | null>;
}

const TAIL_BYTES = 64 * 1024;

/** Starts `node <script> ...args` from the project root with exactly `env` (plus PATH and HOME). */
export function spawnNode(script: string, args: string[], env: Record<string, string | undefined>): Spawned {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let kept = '';
  const keep = (chunk: Buffer) => {
    kept = (kept + chunk.toString()).slice(-TAIL_BYTES);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, name: path.relative(ROOT, script), output: () => kept, exited: exitOf(child) };
}

/**
 * Runs a test body; if it fails, the error carries what the spawned processes printed, so a
 * failure in CI says why the process misbehaved, not only that it did.
 */
export async function explainFailure<T>(processes: Spawned[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const outputs = processes.map((p) => `--- output of ${p.name} (pid ${p.child.pid}) ---\n${p.output() || '(none)'}`);
    // A process left running would keep jest from exiting after the failure is reported.
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    if (err instanceof Error) {
      err.message = `${err.message}\n\n${outputs.join('\n')}`;
      throw err;
    }
    throw new Error(`${String(err)}\n\n${outputs.join('\n')}`, { cause: err });
  }
}

/**
 * What every process of one deployment under test is given: the test database and Redis, and,
 * named by `prefix`, its Redis keys and outbox queues (processes given one prefix share the work).
 */
export function deploymentEnv(prefix: string): Record<string, string | undefined> {
  return {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: `test:${prefix}:`,
    LOG_LEVEL: 'warn',
    DB_MIGRATE_ON_START: 'false',
    JOBS_QUEUE_PREFIX: prefix,
    JOBS_POLL_INTERVAL_S: '1',
  };
}

export interface ApiProcess {
  url: string;
  process: Spawned;
}

/**
 * The processes a suite starts: afterEach calls killAll(), so a test that fails half-way leaves
 * none running into the next test.
 */
export class ProcessGroup {
  private readonly running: Spawned[] = [];

  /** `node <script>` as spawnNode starts it, killed by killAll(). */
  node(script: string, args: string[], env: Record<string, string | undefined>): Spawned {
    const started = spawnNode(script, args, env);
    this.running.push(started);
    return started;
  }

  /**
   * The compiled API as `npm start` runs it, on a free port, in the deployment `prefix`, with
   * `env` on top (secrets, WORKERS...); resolves once /health/ready answers.
   */
  async api(prefix: string, env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const started = this.node(path.join(ROOT, 'dist/src/main.js'), [], {
      ...deploymentEnv(prefix),
      HOST: '127.0.0.1',
      PORT: String(port),
      BCRYPT_ROUNDS: '4',
      RATE_LIMIT_MAX_REQUESTS: '100000',
      ...env,
    });
    const url = `http://127.0.0.1:${port}`;
    await explainFailure([started], () => waitReady(`${url}/health/ready`, started.child, 30_000));
    return { url, process: started };
  }

  killAll(): void {
    for (const p of this.running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
}
