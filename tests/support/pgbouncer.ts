import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { exitOf, freePort } from './processes';

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

/** The PgBouncer binary, or null where it is not installed (`.ci/run` installs Debian's package). */
export function pgbouncerBinary(): string | null {
  return CANDIDATES.find((candidate) => fs.existsSync(candidate)) ?? null;
}

export interface PgBouncer {
  /** The database URL clients use: PgBouncer's port, the target's database. */
  url: string;
  /** SHOW <what> on PgBouncer's admin console. */
  show<T extends object>(what: 'POOLS' | 'SERVERS' | 'STATS'): Promise<T[]>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real PgBouncer in transaction mode in front of `targetUrl`, with at most `serverConnections`
 * connections to PostgreSQL, on a free port with its own folder. PgBouncer refuses to run as
 * root, so as root it drops to the `postgres` user (-u).
 */
export async function startPgBouncer(targetUrl: string, serverConnections: number): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed');
  const target = new URL(targetUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  const user = decodeURIComponent(target.username || 'postgres');
  const password = decodeURIComponent(target.password);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-api-pgbouncer-'));
  fs.chmodSync(dir, 0o777);
  const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const server = [
    `host=${target.hostname}`,
    `port=${target.port || 5432}`,
    `dbname=${database}`,
    `user=${user}`,
    ...(password ? [`password=${quote(password)}`] : []),
  ].join(' ');
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${database} = ${server}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir = ''",
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      `default_pool_size = ${serverConnections}`,
      `max_db_connections = ${serverConnections}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 500',
      // Sequelize's pooled clients and the test's own admin connection announce these.
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o644);
  const asRoot = process.getuid?.() === 0;
  const child = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = exitOf(child);
  const log = () => {
    const file = path.join(dir, 'pgbouncer.log');
    return `${output}${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''}`;
  };
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/pgbouncer';
  adminUrl.password = '';

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}:\n${log()}`);
    const probe = new Client({ connectionString: url.toString() });
    const ok = await probe.connect().then(
      () => probe.query('SELECT 1').then(() => true),
      () => false,
    );
    await probe.end().catch(() => undefined);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not accept connections:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: url.toString(),
    output: log,
    async show<T extends object>(what: 'POOLS' | 'SERVERS' | 'STATS') {
      const admin = new Client({ connectionString: adminUrl.toString() });
      await admin.connect();
      try {
        // No parameters: the simple protocol, the only one the admin console speaks.
        return (await admin.query<T>(`SHOW ${what}`)).rows;
      } finally {
        await admin.end();
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      // Files written by the postgres user: remove them as whoever can.
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        execFileSync('rm', ['-rf', dir]);
      }
    },
  };
}
