import fs from 'node:fs';
import path from 'node:path';
import { SchemaName } from '../../src/core/domain/schema-name';
import { buildDist, ROOT, runScript, tenantMigrationsWith } from '../support/processes';
import { execute, selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, verifiedAccount } from '../support/workspace-helpers';

const NOTES_MIGRATION = `
exports.up = async ({ context: { query } }) => { await query('CREATE TABLE notes (id int PRIMARY KEY)'); };
exports.down = async ({ context: { query } }) => { await query('DROP TABLE notes'); };
`;

describe('tenant admin scripts', () => {
  let server: TestServer;
  let migrationsDir: string;

  beforeAll(async () => {
    buildDist();
    server = await startTestServer();
    // The real tenant migrations plus one new one, as a release that adds a tenant table would ship.
    migrationsDir = tenantMigrationsWith({ '20991231000000-notes.js': NOTES_MIGRATION });
  }, 120_000);
  afterAll(async () => {
    await server.stop();
    fs.rmSync(migrationsDir, { recursive: true, force: true });
  });

  const hasNotes = async (workspaceId: string) =>
    (
      await selectRows(server, "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'notes'", [
        SchemaName.forWorkspace(workspaceId).value,
      ])
    ).length === 1;

  test('when tenant:provision names an existing owner, then the workspace is created and the owner is its admin', async () => {
    const owner = await verifiedAccount(server);
    const run = await runScript('tenant-provision', ['--name', 'Scripted Inc', '--owner', owner.email]);
    expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    const id = /provisioned ([0-9a-f-]{36})/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    const schema = SchemaName.forWorkspace(id!).quoted;
    const admins = await selectRows(
      server,
      `SELECT 1 FROM ${schema}.member_roles mr JOIN ${schema}.roles r ON r.id = mr.role_id WHERE r.name = 'admin' AND mr.user_id = $1`,
      [owner.user.id],
    );
    expect(admins).toHaveLength(1);
    const missing = await runScript('tenant-provision', ['--name', 'X']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--name and --owner are required');
  });

  test('when one tenant fails to migrate, then the others migrate, the summary names it and the exit code is 1; a re-run after the fix completes', async () => {
    const owner = await verifiedAccount(server);
    const [a, broken, c] = [
      await createWorkspace(server, owner, 'Migrate A'),
      await createWorkspace(server, owner, 'Migrate Broken'),
      await createWorkspace(server, owner, 'Migrate C'),
    ];
    // Sabotage: the new migration's table already exists in one tenant.
    await execute(server, `CREATE TABLE ${SchemaName.forWorkspace(broken.id).quoted}.notes (x int)`);
    const env = { TENANT_MIGRATIONS_DIR: migrationsDir };

    const first = await runScript('tenants-migrate', ['--concurrency', '3'], env);

    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(new RegExp(`FAILED ${broken.slug} \\(${broken.id}\\) after \\d+ ms: .*notes`));
    expect(await hasNotes(a.id)).toBe(true);
    expect(await hasNotes(c.id)).toBe(true);
    const [brokenRow] = await selectRows<{ schema_version: string }>(
      server,
      'SELECT schema_version FROM public.workspaces WHERE id = $1',
      [broken.id],
    );
    // The broken tenant stays at the newest shipped migration, before the release's new one.
    const shipped = fs
      .readdirSync(path.join(ROOT, 'dist/tenants/migrations'))
      .filter((f) => f.endsWith('.js'))
      .sort();
    expect(brokenRow?.schema_version).toBe(shipped.at(-1)!.replace(/\.js$/, ''));

    await execute(server, `DROP TABLE ${SchemaName.forWorkspace(broken.id).quoted}.notes`);
    const second = await runScript('tenants-migrate', [], env);

    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/tenants: \d+ in [\d.]+s: \d+ migrated, \d+ up to date, 0 failed, 0 not run/);
    expect(await hasNotes(broken.id)).toBe(true);
    const status = await runScript('tenants-status', [], env);
    // Other test files create tenants concurrently, so only this run's tenants are asserted.
    expect(status.stdout).toContain(`${broken.id}  ${broken.slug.padEnd(30)} up to date`);
  }, 60_000);

  test('when tenant:drop targets a workspace, then only a soft-deleted one is dropped, and only with --yes', async () => {
    const owner = await verifiedAccount(server);
    const ws = await createWorkspace(server, owner, 'Doomed Corp');

    const active = await runScript('tenant-drop', [ws.id, '--yes']);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain('delete it first');

    await execute(server, "UPDATE public.workspaces SET status = 'deleted', deleted_at = now() WHERE id = $1", [ws.id]);
    expect((await runScript('tenant-drop', [ws.slug])).code).toBe(1);
    const dropped = await runScript('tenant-drop', [ws.slug, '--yes']);
    expect(dropped.code).toBe(0);
    const left = await selectRows(server, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      SchemaName.forWorkspace(ws.id).value,
    ]);
    expect(left).toEqual([]);
    const list = await runScript('tenants-list', ['--json']);
    expect(JSON.parse(list.stdout).map((t: { id: string }) => t.id)).not.toContain(ws.id);
  });
});
