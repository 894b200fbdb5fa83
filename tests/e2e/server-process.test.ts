import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exitOf, freePort, ROOT, waitReady } from '../support/processes';

const SERVER = path.join(ROOT, 'dist/src/main.js');

// The same entry point the Dockerfile and `npm start` run, with only what a fresh machine has.
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the server process', () => {
  test('when variables are invalid, then it exits 1 naming every bad variable and starts nothing', async () => {
    const child = spawn(process.execPath, [SERVER], {
      cwd: ROOT,
      env: { ...baseEnv(), NODE_ENV: 'production', PORT: 'abc', LOG_LEVEL: 'loud' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    expect(await exitOf(child)).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    for (const name of ['PORT', 'LOG_LEVEL', 'JWT_SECRET', 'REFRESH_TOKEN_SECRET']) expect(stderr).toContain(name);
  });

  test('when no database is configured, then it serves on an embedded PostgreSQL and SIGTERM stops both cleanly', async () => {
    const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-api-e2e-'));
    fs.chmodSync(dataRoot, 0o755);
    const [port, pgPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [SERVER], {
      cwd: ROOT,
      env: {
        ...baseEnv(),
        PORT: String(port),
        EMBEDDED_PG_DIR: path.join(dataRoot, 'pg'),
        EMBEDDED_PG_PORT: String(pgPort),
        EMAIL_OUTBOX_DIR: path.join(dataRoot, 'outbox'),
      },
    });
    const exited = exitOf(child);
    try {
      const ready = await waitReady(`http://127.0.0.1:${port}/health/ready`, child, 60_000);
      expect(await ready.json()).toEqual({ data: { status: 'ok', checks: { database: 'up' } } });
      const doc = await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`);
      expect(doc.status).toBe(200);
      expect(((await doc.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      expect(await portAcceptsConnections(pgPort)).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await portAcceptsConnections(pgPort)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataRoot, { recursive: true, force: true });
    }
  }, 90_000);
});
