import request from 'supertest';
import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { PermanentJobError, type JobContext } from '../../src/core/infrastructure/jobs/outbox';
import { PurgeExpiredCredentials } from '../../src/modules/auth/application/purge-expired-credentials.use-case';
import { API, login, mailsTo, register, RESET_SUBJECT } from '../support/auth-helpers';
import { mailTo, startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { backgroundWorkDone, execute, selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';

const METRICS_TOKEN = 'outbox-test-metrics-token-0123456789';

/** What the test handlers saw: each run of a job, with its context and when it ran. */
interface Run {
  type: string;
  data: { mark: string };
  job: JobContext;
  at: number;
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the durable outbox (pg-boss)', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  const runs: Run[] = [];
  /** While true, test.flaky fails; the test that retries a dead letter repairs it. */
  let flakyBroken = true;

  const register_ = (container: ContainerInstance) => {
    const jobs = container.get(TOKENS.jobs);
    const record = (type: string) => async (data: { mark: string }, job: JobContext) => {
      runs.push({ type, data, job, at: Date.now() });
    };
    jobs.handle('test.record', record('test.record'));
    jobs.handle<{ mark: string }>('test.always-fails', async (data, job) => {
      await record('test.always-fails')(data, job);
      throw new Error(`refused ${data.mark}`);
    });
    jobs.handle<{ mark: string }>('test.permanent', async (data, job) => {
      await record('test.permanent')(data, job);
      throw new PermanentJobError('this can never work');
    });
    jobs.handle<{ mark: string }>('test.flaky', async (data, job) => {
      await record('test.flaky')(data, job);
      if (flakyBroken) throw new Error('not yet');
    });
  };

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(
      {
        ...receiver.env(),
        JOBS_RETRY_LIMIT: '2',
        JOBS_RETRY_DELAY_S: '1',
        JOBS_POLL_INTERVAL_S: '1',
        METRICS_TOKEN,
      },
      { configure: register_ },
    );
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const outbox = () => server.container.get(TOKENS.jobs);
  const queue = () => outbox().queue;
  const runsOf = (mark: string) => runs.filter((r) => r.data.mark === mark);
  const jobsMarked = (mark: string) =>
    selectRows<{ state: string }>(
      server,
      "SELECT state::text AS state FROM pgboss.job WHERE data->'data'->>'mark' = $1",
      [mark],
    );

  test('when a unit of work rolls back after enqueueing, then no job exists and its handler never runs', async () => {
    const mark = `rolled-back-${Date.now()}`;
    await expect(
      server.container.get(TOKENS.transactions).run(async () => {
        await outbox().enqueue({ type: 'test.record', data: { mark } });
        throw new Error('the business write failed');
      }),
    ).rejects.toThrow('the business write failed');
    await backgroundWorkDone(server);
    expect(await jobsMarked(mark)).toEqual([]);
    expect(runsOf(mark)).toEqual([]);
  });

  test('when a unit of work commits, then its job is invisible until COMMIT and then runs exactly once', async () => {
    const mark = `committed-${Date.now()}`;
    let seenInside: unknown[] = ['not checked'];
    await server.container.get(TOKENS.transactions).run(async () => {
      await outbox().enqueue({ type: 'test.record', data: { mark } });
      // Another connection (the pool, outside this transaction) cannot see it yet, nor can a worker.
      seenInside = await selectRows(server, "SELECT 1 FROM pgboss.job WHERE data->'data'->>'mark' = $1", [mark]);
    });
    expect(seenInside).toEqual([]);
    await backgroundWorkDone(server);
    expect(runsOf(mark)).toHaveLength(1);
    expect(await jobsMarked(mark)).toEqual([{ state: 'completed' }]);
  });

  test('when a handler keeps throwing, then it is retried with growing delays and dead-lettered after the retry limit, visible in status and /metrics', async () => {
    const mark = `failing-${Date.now()}`;
    await outbox().enqueue({ type: 'test.always-fails', data: { mark } });

    const letter = await until(
      async () => (await outbox().status()).dead.find((d) => d.type === 'test.always-fails'),
      20_000,
      'the dead letter',
    );

    const attempts = runsOf(mark);
    // JOBS_RETRY_LIMIT=2: the first attempt and two retries, all of the same job.
    expect(attempts.map((r) => r.job.attempt)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((r) => r.job.id)).size).toBe(1);
    // Exponential backoff from JOBS_RETRY_DELAY_S=1 (with jitter): at least 1 s, then at least 2 s.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1_900);
    expect(letter.error).toBe(`refused ${mark}`);
    expect(await jobsMarked(mark)).toEqual(expect.arrayContaining([{ state: 'failed' }, { state: 'created' }]));

    const metrics = await request(server.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain(`outbox_job_failures_total{type="test.always-fails"} 3`);
    const dead = new RegExp(`^outbox_jobs\\{queue="${outbox().deadLetters}",state="created"\\} (\\d+)$`, 'm');
    expect(Number(dead.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(1);
  }, 30_000);

  test('when a handler raises a PermanentJobError, then it is dead-lettered at once, without retries', async () => {
    const mark = `permanent-${Date.now()}`;
    await outbox().enqueue({ type: 'test.permanent', data: { mark } });
    const letter = await until(
      async () => (await outbox().status()).dead.find((d) => d.type === 'test.permanent'),
      10_000,
      'the dead letter',
    );
    expect(letter.error).toBe('this can never work');
    expect(runsOf(mark)).toHaveLength(1);
  });

  test('when a dead letter is sent back once its cause is fixed, then it runs again and completes', async () => {
    const mark = `flaky-${Date.now()}`;
    await outbox().enqueue({ type: 'test.flaky', data: { mark } });
    const letter = await until(
      async () => (await outbox().status()).dead.find((d) => d.type === 'test.flaky'),
      20_000,
      'the dead letter',
    );
    flakyBroken = false;

    expect(await outbox().retryDead(letter.id)).toBe(true);
    await backgroundWorkDone(server);

    expect(runsOf(mark)).toHaveLength(4);
    expect((await outbox().status()).dead.map((d) => d.id)).not.toContain(letter.id);
    expect(await outbox().retryDead(letter.id)).toBe(false);
  }, 30_000);

  test('when a job of an unknown type is found, then it is dead-lettered at once as having no handler', async () => {
    await outbox().enqueue({ type: 'test.nobody-handles-this', data: {} });
    const letter = await until(
      async () => (await outbox().status()).dead.find((d) => d.type === 'test.nobody-handles-this'),
      10_000,
      'the dead letter',
    );
    expect(letter.error).toBe('no handler is registered for jobs of type test.nobody-handles-this');
  });

  test('when every job of a password reset runs a second time (a lost acknowledgement), then one token and one email exist', async () => {
    const account = await register(server.url);
    await receiver.waitForMail(mailTo(account.email, 'Confirm your email address'));
    await execute(server, "UPDATE public.users SET email_verified_at = now(), status = 'active' WHERE id = $1", [
      account.user.id,
    ]);
    const forgot = await request(server.url).post(`${API}/auth/forgot-password`).send({ email: account.email });
    expect(forgot.status).toBe(202);
    await receiver.waitForMail(mailTo(account.email, RESET_SUBJECT));
    await backgroundWorkDone(server);

    // Every job of this server runs again, as after a crash between the effect and its acknowledgement.
    await execute(
      server,
      "UPDATE pgboss.job SET state = 'retry', start_after = now(), completed_on = NULL WHERE name = $1 AND state = 'completed'",
      [queue()],
    );
    await backgroundWorkDone(server);

    const resets = mailsTo(receiver, account.email).filter((m) => m.subject === RESET_SUBJECT);
    expect(resets).toHaveLength(1);
    expect(resets[0]!.messageId).toMatch(/^<[0-9a-f-]{36}@tenant-api\.outbox>$/);
    const tokens = await selectRows(
      server,
      "SELECT id FROM public.email_tokens WHERE user_id = $1 AND purpose = 'reset_password'",
      [account.user.id],
    );
    expect(tokens).toHaveLength(1);
  }, 30_000);

  test('when the outbox starts, then its housekeeping jobs are scheduled in UTC', async () => {
    const prefix = server.container.get(TOKENS.config).jobs.queuePrefix;
    const schedules = await selectRows<{ name: string; cron: string; timezone: string }>(
      server,
      'SELECT name, cron, timezone FROM pgboss.schedule WHERE name LIKE $1 ORDER BY name',
      [`${prefix}%`],
    );
    expect(schedules).toEqual([
      { name: `${prefix}auth_purge_expired`, cron: '17 * * * *', timezone: 'UTC' },
      { name: `${prefix}outbox_purge_receipts`, cron: '23 3 * * *', timezone: 'UTC' },
      { name: `${prefix}webhooks_purge_deliveries`, cron: '41 3 * * *', timezone: 'UTC' },
    ]);
  });

  test('when housekeeping runs, then credentials past any use are deleted and live ones are kept', async () => {
    const account = await register(server.url);
    await login(server.url, account.email, account.password);
    await backgroundWorkDone(server);
    const live = await selectRows<{ id: string }>(server, 'SELECT id FROM public.sessions WHERE user_id = $1', [
      account.user.id,
    ]);
    expect(live).toHaveLength(1);
    // An old revoked session with an expired refresh token, and an email token used long ago.
    const [old] = await selectRows<{ id: string }>(
      server,
      `INSERT INTO public.sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason)
       VALUES (gen_random_uuid(), $1, now() - interval '90 days', now() - interval '90 days', now() - interval '60 days',
               now() - interval '89 days', 'logout') RETURNING id`,
      [account.user.id],
    );
    await execute(
      server,
      `INSERT INTO public.refresh_tokens (id, session_id, token_hash, created_at, expires_at)
       VALUES (gen_random_uuid(), $1, $2, now() - interval '90 days', now() - interval '83 days')`,
      [old!.id, `old-${Date.now()}`],
    );
    await execute(server, "UPDATE public.email_tokens SET used_at = now() - interval '3 days' WHERE user_id = $1", [
      account.user.id,
    ]);
    await execute(
      server,
      `INSERT INTO public.mfa_challenges (id, user_id, token_hash, expires_at)
       VALUES (gen_random_uuid(), $1, $2, now() - interval '1 minute')`,
      [account.user.id, `mfa-old-${Date.now()}`],
    );

    const purged = await server.container.get(PurgeExpiredCredentials).execute();

    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect(purged.refreshTokens).toBeGreaterThanOrEqual(1);
    expect(purged.emailTokens).toBeGreaterThanOrEqual(1);
    expect(purged.mfaChallenges).toBeGreaterThanOrEqual(1);
    const left = await selectRows<{ id: string }>(server, 'SELECT id FROM public.sessions WHERE user_id = $1', [
      account.user.id,
    ]);
    expect(left).toEqual(live);
    expect(await selectRows(server, 'SELECT 1 FROM public.email_tokens WHERE user_id = $1', [account.user.id])).toEqual(
      [],
    );
  });

  test('when four instances of one deployment start at once, then each creates or finds the queues and starts', async () => {
    const shared = { JOBS_QUEUE_PREFIX: `t${Date.now().toString(36)}together` };
    const started = await Promise.allSettled(Array.from({ length: 4 }, () => startTestServer(shared)));
    for (const s of started) if (s.status === 'fulfilled') await s.value.stop();
    expect(started.map((s) => (s.status === 'fulfilled' ? 'started' : String(s.reason)))).toEqual(
      Array.from({ length: 4 }, () => 'started'),
    );
  }, 60_000);

  test('when a server stops right after starting, then its idle workers end at once instead of sitting out their poll', async () => {
    // Stopped at once, the workers' first fetches are still in flight: each must see the stop when
    // it returns, not start a fresh wait (2 s for the outbox, 30 s for the periodic queues) that
    // only the 5 s bound of stop() would end.
    const quick = await startTestServer({ JOBS_POLL_INTERVAL_S: '300' });
    const started = Date.now();
    await quick.stop();
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});
