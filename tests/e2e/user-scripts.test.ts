import request from 'supertest';
import { API, bearer, login } from '../support/auth-helpers';
import { runScript } from '../support/processes';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { verifiedAccount } from '../support/workspace-helpers';

/** Scripts run with a cheap bcrypt cost: these tests are about what the scripts do. */
const script = (name: string, args: string[], env: Record<string, string> = {}) =>
  runScript(name, args, { BCRYPT_ROUNDS: '4', ...env });

describe('user admin scripts', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  }, 120_000);
  afterAll(() => server.stop());

  test('when admin:create runs with ADMIN_PASSWORD, then the account can sign in and list every user with ?scope=platform', async () => {
    const email = `root-${Date.now()}@example.com`;
    const password = 'a long admin passphrase';
    const run = await script('admin-create', ['--email', email, '--name', 'Root'], { ADMIN_PASSWORD: password });
    expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(run.stdout).toMatch(/^created .+; now a platform admin\n$/);
    expect(run.stdout).not.toContain(password);

    const tokens = await login(server.url, email, password);
    const res = await request(server.url)
      .get(`${API}/users/search?scope=platform&q=${encodeURIComponent(email)}`)
      .set(bearer(tokens.accessToken));
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: { email: string }) => u.email)).toContain(email);
    const audit = await selectRows(
      server,
      "SELECT actor_id FROM public.audit_events WHERE action = 'role.global.granted' AND target_id = $1",
      [/\(([0-9a-f-]{36})\)/.exec(run.stdout)![1]],
    );
    expect(audit).toEqual([{ actor_id: null }]);
  }, 30_000);

  test('when admin:create names an existing account, then it is promoted and its password is left alone', async () => {
    const account = await verifiedAccount(server);
    const run = await script('admin-create', ['--email', account.email], {
      ADMIN_PASSWORD: 'ignored for existing accounts',
    });
    expect(run.stdout).toMatch(/^found .+; now a platform admin\n$/);
    const again = await script('admin-create', ['--email', account.email], {
      ADMIN_PASSWORD: 'ignored for existing accounts',
    });
    expect(again.stdout).toMatch(/already a platform admin/);
    await expect(login(server.url, account.email, account.password)).resolves.toBeDefined();
  }, 30_000);

  test('when admin:create has no password source (no env, no terminal), then it fails without creating anything', async () => {
    const email = `nopass-${Date.now()}@example.com`;
    const run = await script('admin-create', ['--email', email]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('set ADMIN_PASSWORD');
    expect(await selectRows(server, 'SELECT 1 FROM public.users WHERE email = $1', [email])).toHaveLength(0);
  }, 30_000);

  test('when admin:create is given a password on the command line, then it refuses the flag', async () => {
    const run = await script('admin-create', ['--email', 'x@example.com', '--password', 'secret-on-argv'], {
      ADMIN_PASSWORD: 'x',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Unknown option '--password'/);
  }, 30_000);

  test('when db:seed runs twice, then two workspaces with an admin, a member and a viewer exist once, and the printed login works', async () => {
    const first = await script('db-seed', []);
    expect(first).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    const second = await script('db-seed', []);
    expect(second.code).toBe(0);
    const password = /password "([^"]+)"/.exec(first.stdout)![1]!;

    // Other suites name workspaces Acme too: count the demo owners' workspaces.
    const workspaces = await selectRows(
      server,
      `SELECT w.name FROM public.workspaces w JOIN public.users u ON u.id = w.owner_id
       WHERE u.email IN ('alice@demo.test', 'dave@demo.test') ORDER BY w.name`,
    );
    expect(workspaces).toEqual([{ name: 'Acme' }, { name: 'Globex' }]);
    const bob = await login(server.url, 'bob@demo.test', password);
    const users = await request(server.url).get(`${API}/users?sort=email`).set(bearer(bob.accessToken));
    expect(users.status).toBe(200);
    expect(users.body.data.map((u: { email: string }) => u.email)).toEqual([
      'alice@demo.test',
      'bob@demo.test',
      'carol@demo.test',
    ]);
    const carol = await login(server.url, 'carol@demo.test', password);
    const workspaceId = (await request(server.url).get(`${API}/workspaces`).set(bearer(carol.accessToken))).body.data[0]
      .id;
    const invite = await request(server.url)
      .post(`${API}/workspaces/${workspaceId}/members/invite`)
      .set(bearer(carol.accessToken))
      .send({ email: 'someone@demo.test' });
    expect(invite.status).toBe(403);
  }, 60_000);

  test('when db:seed runs in production, then it refuses', async () => {
    const run = await script('db-seed', [], {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      REFRESH_TOKEN_SECRET: 'y'.repeat(40),
      DATA_ENCRYPTION_KEY: 'z'.repeat(40),
      BCRYPT_ROUNDS: '12',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refuses to run with NODE_ENV=production');
  }, 30_000);
});
