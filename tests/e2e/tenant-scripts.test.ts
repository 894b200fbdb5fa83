import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { SchemaName } from '../../src/core/domain/schema-name';
import { scratchDatabase, type ScratchDatabase } from '../support/databases';
import { ROOT, runScript as runIn, tenantMigrationsWith } from '../support/processes';
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
  // Fleet-wide runs (tenants:migrate) touch every tenant of a database: these tests have their
  // own, so tenants other test files create meanwhile are neither migrated nor counted.
  let db: ScratchDatabase;
  const runScript = (name: string, args: string[], env: Record<string, string> = {}) =>
    runIn(name, args, { DATABASE_URL: db.url, ...env });

  beforeAll(async () => {
    db = await scratchDatabase();
    server = await startTestServer({ DATABASE_URL: db.url });
    // The real tenant migrations plus one new one, as a release that adds a tenant table would ship.
    migrationsDir = tenantMigrationsWith({ '20991231000000-notes.js': NOTES_MIGRATION });
  }, 120_000);
  afterAll(async () => {
    await server.stop();
    await db.drop();
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
    expect(status.stdout).toContain(`${broken.id}  ${broken.slug.padEnd(30)} up to date`);
  }, 60_000);

  test('when a canary wave fails, then no other tenant is touched; a resumed run retries the failure first and stops again, then completes once it is fixed', async () => {
    const later = tenantMigrationsWith({
      '20991231000000-notes.js': NOTES_MIGRATION,
      '21001231000000-more-notes.js':
        "exports.up = async ({ context: { query } }) => { await query('CREATE TABLE more_notes (id int)'); };\n",
    });
    const owner = await verifiedAccount(server);
    // Everything else is up to date with the previous release, so the wave is made of these, in order.
    expect((await runScript('tenants-migrate', [], { TENANT_MIGRATIONS_DIR: migrationsDir })).code).toBe(0);
    const first = await createWorkspace(server, owner, 'Canary One');
    const broken = await createWorkspace(server, owner, 'Canary Broken');
    const third = await createWorkspace(server, owner, 'Canary Three');
    const fourth = await createWorkspace(server, owner, 'Canary Four');
    await runScript('tenants-migrate', [], { TENANT_MIGRATIONS_DIR: migrationsDir });
    await execute(server, `CREATE TABLE ${SchemaName.forWorkspace(broken.id).quoted}.more_notes (x int)`);
    const env = { TENANT_MIGRATIONS_DIR: later };
    const report = path.join(path.dirname(later), `canary-${broken.id}.json`);
    const hasMore = async (id: string) =>
      (
        await selectRows(server, "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'more_notes'", [
          SchemaName.forWorkspace(id).value,
        ])
      ).length === 1;
    const untouched = async () => (await Promise.all([third, fourth].map((w) => hasMore(w.id)))).every((has) => !has);

    // The wave is every tenant but the last two (oldest first): it ends with the broken one.
    const [count] = await selectRows<{ n: number }>(
      server,
      "SELECT count(*)::int AS n FROM public.workspaces WHERE status <> 'deleted'",
    );
    const n = count!.n;
    const canary = await runScript('tenants-migrate', ['--canary', String(n - 2), '--report', report], env);
    expect(canary.code).toBe(1);
    expect(await hasMore(first.id)).toBe(true);
    expect(await untouched()).toBe(true);
    const outcomes = JSON.parse(fs.readFileSync(report, 'utf8')) as { tenant: { id: string }; outcome: string }[];
    const outcome = (id: string) => outcomes.find((r) => r.tenant.id === id)?.outcome;
    expect([outcome(broken.id), outcome(third.id), outcome(fourth.id)]).toEqual(['failed', 'not_run', 'not_run']);

    const again = await runScript('tenants-migrate', ['--resume', report], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(new RegExp(`FAILED ${broken.slug}`));
    expect(await untouched()).toBe(true);

    await execute(server, `DROP TABLE ${SchemaName.forWorkspace(broken.id).quoted}.more_notes`);
    const resumed = await runScript('tenants-migrate', ['--resume', report], env);
    expect(resumed.code).toBe(0);
    expect(await Promise.all([broken, third, fourth].map((w) => hasMore(w.id)))).toEqual([true, true, true]);
    fs.rmSync(later, { recursive: true, force: true });
  }, 90_000);

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

  test('when tenant:move names a database of TENANT_DATABASES, then the workspace moves there, tenants:list shows it, tenants:migrate migrates it there and tenant:move moves it back', async () => {
    const east = await scratchDatabase({ migrate: false });
    try {
      const shards = { TENANT_DATABASES: `east=${east.url}` };
      const owner = await verifiedAccount(server);
      const ws = await createWorkspace(server, owner, 'Mover Ltd');
      const schema = SchemaName.forWorkspace(ws.id).value;
      const onEast = async () => {
        const eastDb = new Sequelize(east.url, { logging: false });
        try {
          return (
            (
              await eastDb.query('SELECT nspname FROM pg_namespace WHERE nspname = :schema', {
                replacements: { schema },
                type: QueryTypes.SELECT,
              })
            ).length === 1
          );
        } finally {
          await eastDb.close();
        }
      };

      const unknown = await runScript('tenant-move', [ws.slug, '--to', 'west'], shards);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No tenant database is named "west"');

      const moved = await runScript('tenant-move', [ws.slug, '--to', 'east'], shards);
      expect(moved).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
      const report = JSON.parse(moved.stdout) as { from: string; to: string; tables: Record<string, { rows: number }> };
      expect(report).toMatchObject({ from: 'main', to: 'east' });
      expect(report.tables.members!.rows).toBe(1);
      expect(await onEast()).toBe(true);
      expect(await selectRows(server, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
      const list = await runScript('tenants-list', ['--json'], shards);
      expect(JSON.parse(list.stdout).find((t: { id: string }) => t.id === ws.id)).toMatchObject({ shard: 'east' });

      const migrated = await runScript('tenants-migrate', [], { ...shards, TENANT_MIGRATIONS_DIR: migrationsDir });
      expect(migrated.code).toBe(0);
      const eastDb = new Sequelize(east.url, { logging: false });
      const notes = await eastDb.query("SELECT 1 FROM pg_tables WHERE schemaname = :schema AND tablename = 'notes'", {
        replacements: { schema },
        type: QueryTypes.SELECT,
      });
      await eastDb.close();
      expect(notes).toHaveLength(1);

      const back = await runScript('tenant-move', [ws.id, '--to', 'main'], {
        ...shards,
        TENANT_MIGRATIONS_DIR: migrationsDir,
      });
      expect(back.code).toBe(0);
      expect(await onEast()).toBe(false);
      expect(await hasNotes(ws.id)).toBe(true);
    } finally {
      await east.drop();
    }
  }, 90_000);
});
