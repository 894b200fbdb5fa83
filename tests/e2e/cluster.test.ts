import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, ROOT, waitReady } from '../support/processes';
import { API, STRONG_PASSWORD } from '../support/auth-helpers';
import { testRedisUrl } from '../support/test-server';

const redisUrl = testRedisUrl();

describe('WEB_CONCURRENCY: several workers on one port', () => {
  test('when more than one worker is asked for without Redis, then the configuration is refused', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: process.env.DATABASE_URL, WEB_CONCURRENCY: '2' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      stderr = (err as { stderr: string }).stderr;
    }
    expect(stderr).toContain('WEB_CONCURRENCY: more than one worker needs Redis');
  });

  if (redisUrl) {
    test('when started with two workers, then both serve the port, a token from one works on the other, and SIGTERM stops everything', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      // No JWT secret configured: the primary makes one for all workers.
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: process.env.DATABASE_URL,
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: `test:cluster:${port}:`,
          WEB_CONCURRENCY: '2',
          PORT: String(port),
          BCRYPT_ROUNDS: '4',
          LOG_LEVEL: 'warn',
        },
        stdio: 'ignore',
      });
      try {
        await waitReady(`${url}/health/ready`, child);
        const email = `cluster-${port}@example.com`;
        const registered = await fetch(`${url}${API}/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: STRONG_PASSWORD, name: 'Cluster' }),
        });
        expect(registered.status).toBe(201);
        const login = await fetch(`${url}${API}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: STRONG_PASSWORD }),
        });
        const { accessToken } = ((await login.json()) as { data: { accessToken: string } }).data;
        // Connections are spread round-robin over the workers: every one accepts the token.
        const statuses = await Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`${url}${API}/users/me`, {
              headers: { authorization: `Bearer ${accessToken}`, connection: 'close' },
            }).then((r) => r.status),
          ),
        );
        expect(new Set(statuses)).toEqual(new Set([200]));
        const workers = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
          .trim()
          .split('\n');
        expect(workers).toHaveLength(2);
      } finally {
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    }, 90_000);
  }
});
