import { randomUUID } from 'node:crypto';
import path from 'node:path';
import request from 'supertest';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { API, bearer, mailsTo } from '../support/auth-helpers';
import {
  deploymentEnv,
  explainFailure,
  freePort,
  ProcessGroup,
  ROOT,
  runScript,
  spawnNode,
  type Spawned,
} from '../support/processes';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../support/smtp-receiver';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../support/workspace-helpers';
import { closeAllClients, connectWorkspace } from '../integration/realtime/helpers';

// One deployment: the processes share the database, the token secrets (mail in the outbox is
// sealed with REFRESH_TOKEN_SECRET) and, per test, one outbox queue prefix.
const SECRETS = {
  JWT_SECRET: 'outbox-faults-jwt-secret-0123456789abcdef',
  REFRESH_TOKEN_SECRET: 'outbox-faults-refresh-secret-0123456789ab',
  DATA_ENCRYPTION_KEY: 'shared-test-data-encryption-key-0123456789',
};

/** Nothing queued, retried or running in the queue: every job of the prefix has finished. */
async function drained(helper: TestServer, prefix: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = await selectRows(
      helper,
      "SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')",
      [`${prefix}_outbox`],
    );
    if (busy.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the ${prefix} outbox did not drain`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Faults that need real processes: the API killed with work committed but not yet done. */
describe('fault: the outbox across a crash', () => {
  let receiver: SmtpReceiver;
  let helper: TestServer;
  const processes = new ProcessGroup();

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    helper = await startTestServer({ ...SECRETS, ...receiver.env() });
  }, 120_000);
  afterEach(() => processes.killAll());
  afterAll(async () => {
    await helper.stop();
    await receiver.close();
  });

  /** The compiled API as `npm start` runs it; WORKERS=none: it commits jobs and runs none of them. */
  const api = (prefix: string, workers: 'inline' | 'none') =>
    processes.api(prefix, { ...SECRETS, ...receiver.env(), WORKERS: workers });

  async function kill(p: Spawned): Promise<void> {
    p.child.kill('SIGKILL');
    await p.exited;
  }

  async function team(name: string): Promise<{ admin: Account; ws: { id: string; name: string } }> {
    const admin = await verifiedAccount(helper);
    const ws = await createWorkspace(helper, admin, name);
    await switchTo(helper, admin, ws.id);
    return { admin, ws: { id: ws.id, name } };
  }

  test('when the API is killed (SIGKILL) after an invitation committed and before its email went out, then after a restart the email arrives exactly once', async () => {
    const prefix = `crash${randomUUID().slice(0, 8)}`;
    const { admin, ws } = await team(`Crash Mail ${prefix}`);
    const invitee = `invitee-${prefix}@example.com`;
    const first = await api(prefix, 'none');
    await explainFailure([first.process], async () => {
      const invited = await request(first.url)
        .post(`${API}/workspaces/${ws.id}/members/invite`)
        .set(bearer(admin.accessToken))
        .send({ email: invitee, role: 'member' });
      expect(invited.status).toBe(202);
      // Committed with the invitation, not yet done: the email job waits in the outbox.
      const queued = await selectRows<{ type: string }>(
        helper,
        "SELECT data->>'type' AS type FROM pgboss.job WHERE name = $1 AND state = 'created'",
        [`${prefix}_outbox`],
      );
      expect(queued.map((j) => j.type)).toContain('email.deliver');
      await kill(first.process);
    });
    expect(mailsTo(receiver, invitee)).toEqual([]);

    const second = await api(prefix, 'inline');
    await explainFailure([second.process], async () => {
      await receiver.waitForMail(mailTo(invitee, `Join ${ws.name}`), 15_000);
      await drained(helper, prefix);
      expect(mailsTo(receiver, invitee)).toHaveLength(1);
    });
  }, 90_000);

  test('when the API is killed (SIGKILL) after a member joined and before the others were notified, then after a restart each is notified exactly once', async () => {
    const prefix = `crash${randomUUID().slice(0, 8)}`;
    const { admin, ws } = await team(`Crash Note ${prefix}`);
    const joiner = await verifiedAccount(helper);
    const invited = await request(helper.url)
      .post(`${API}/workspaces/${ws.id}/members/invite`)
      .set(bearer(admin.accessToken))
      .send({ email: joiner.email, role: 'member' });
    expect(invited.status).toBe(202);
    const token = tokenFrom(await receiver.waitForMail(mailTo(joiner.email, `Join ${ws.name}`)), 'accept-invitation');

    const first = await api(prefix, 'none');
    await explainFailure([first.process], async () => {
      const accepted = await request(first.url)
        .post(`${API}/workspaces/${ws.id}/members/accept`)
        .set(bearer(joiner.accessToken))
        .send({ token });
      expect(accepted.status).toBe(204);
      await kill(first.process);
    });
    const notifications = () => request(helper.url).get(`${API}/notifications`).set(bearer(admin.accessToken));
    expect((await notifications()).body.data).toEqual([]);

    const second = await api(prefix, 'inline');
    await explainFailure([second.process], async () => {
      await drained(helper, prefix);
      const res = await notifications();
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        expect.objectContaining({ type: 'member.joined', data: { userId: joiner.user.id, name: joiner.user.name } }),
      ]);
    });
  }, 90_000);

  test('when a job keeps failing, then jobs:status lists it as a dead letter and exits 2, and --retry sends it back', async () => {
    const closedPort = await freePort();
    // A mail relay that refuses every connection, and no retry: the first failure dead-letters.
    const failing = await startTestServer({
      ...SECRETS,
      EMAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(closedPort),
      JOBS_RETRY_LIMIT: '0',
    });
    try {
      const prefix = failing.container.get(TOKENS.config).jobs.queuePrefix.replace(/_$/, '');
      await request(failing.url)
        .post(`${API}/auth/register`)
        .send({
          email: `dead-${prefix}@example.com`,
          password: 'Quiet-Harbour-Lantern-7413',
          name: 'Dead Letter',
        });
      const env = { ...SECRETS, JOBS_QUEUE_PREFIX: prefix };
      let status = await runScript('jobs-status', ['--json'], env);
      const deadline = Date.now() + 15_000;
      while (status.code === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = await runScript('jobs-status', ['--json'], env);
      }
      expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 2, stderr: '' });
      const report = JSON.parse(status.stdout) as { dead: { id: string; type: string; error: string }[] };
      expect(report.dead).toEqual([
        {
          id: expect.any(String),
          type: 'email.deliver',
          diedAt: expect.any(String),
          error: expect.stringContaining('ECONNREFUSED'),
        },
      ]);

      const table = await runScript('jobs-status', [], env);
      expect(table.code).toBe(2);
      expect(table.stdout).toContain(`${prefix}_outbox_dead`);
      expect(table.stdout).toContain('1 dead letter(s), newest first:');

      const retried = await runScript('jobs-status', ['--retry', report.dead[0]!.id, '--json'], env);
      expect(retried.stderr).toBe(`dead letter ${report.dead[0]!.id} sent back to the outbox\n`);
      const unknown = await runScript('jobs-status', ['--retry', randomUUID()], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error: no dead letter has the id /);
    } finally {
      await failing.stop();
    }
  }, 60_000);

  test('when the worker is started without the API’s database, Redis and secrets, then it refuses, naming each', async () => {
    const worker = spawnNode(path.join(ROOT, 'dist/src/worker.js'), [], { LOG_LEVEL: 'silent' });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain('DATABASE_URL (or DB_HOST)');
    expect(worker.output()).toContain('REDIS_URL (or REDIS_HOST)');
    expect(worker.output()).toContain('REFRESH_TOKEN_SECRET');
  });

  if (process.env.REDIS_URL) {
    test('when the API runs no jobs (WORKERS=none) and `npm run worker` does, then mail goes out and socket events reach the API’s clients', async () => {
      const prefix = `split${randomUUID().slice(0, 8)}`;
      const { admin, ws } = await team(`Split ${prefix}`);
      const front = await api(prefix, 'none');
      const worker = processes.node(path.join(ROOT, 'dist/src/worker.js'), [], {
        ...deploymentEnv(prefix),
        ...SECRETS,
        ...receiver.env(),
        LOG_LEVEL: 'info',
      });
      await explainFailure([front.process, worker], async () => {
        const deadline = Date.now() + 30_000;
        while (!worker.output().includes('worker started')) {
          if (worker.child.exitCode !== null || Date.now() > deadline) throw new Error('the worker did not start');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const socket = await connectWorkspace({ socketUrl: front.url } as TestServer, ws.id, admin.accessToken);
        try {
          const renamed = await request(front.url)
            .put(`${API}/workspaces/${ws.id}`)
            .set(bearer(admin.accessToken))
            .send({ name: `Split Renamed ${prefix}` });
          expect(renamed.status).toBe(200);
          expect(await socket.waitFor('workspace:updated')).toEqual({ workspaceId: ws.id });

          const invitee = `split-${prefix}@example.com`;
          const invited = await request(front.url)
            .post(`${API}/workspaces/${ws.id}/members/invite`)
            .set(bearer(admin.accessToken))
            .send({ email: invitee, role: 'member' });
          expect(invited.status).toBe(202);
          await receiver.waitForMail(mailTo(invitee, `Join Split Renamed ${prefix}`), 15_000);
        } finally {
          closeAllClients();
        }
        worker.child.kill('SIGTERM');
        expect(await worker.exited).toBe(0);
      });
    }, 90_000);
  }
});
