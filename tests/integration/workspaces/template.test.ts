import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import { SchemaName } from '../../../src/core/domain/schema-name';
import { createTenantMigrator, TENANT_MIGRATIONS_DIR } from '../../../src/core/infrastructure/database/migrator';
import { UnitOfWork } from '../../../src/core/infrastructure/database/unit-of-work';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, verifiedAccount } from '../../support/workspace-helpers';

/** A schema's columns, constraints and indexes, and its seeded rows by natural key: without ids, names or times. */
async function shape(server: TestServer, schema: string) {
  const catalog = await selectRows<{ line: string }>(
    server,
    `SELECT line FROM (
       SELECT format('col %s.%s %s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS line
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum WHERE n.nspname = $1 AND c.relkind = 'r'
       UNION ALL SELECT format('con %s.%s %s', c.relname, k.conname, replace(pg_get_constraintdef(k.oid), $1 || '.', ''))
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
       UNION ALL SELECT replace(pg_get_indexdef(i.indexrelid), $1 || '.', '')
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
     ) x ORDER BY line`,
    [schema],
  );
  const q = `"${schema}"`;
  const seeded = await selectRows<{ line: string }>(
    server,
    `SELECT 'role ' || r.name || ' ' || r.description || ' ' || r.is_system || ' ' ||
            coalesce((SELECT string_agg(permission, ',' ORDER BY permission) FROM ${q}.role_permissions p WHERE p.role_id = r.id), '') AS line
     FROM ${q}.roles r
     UNION ALL SELECT 'migration ' || name FROM ${q}.schema_migrations ORDER BY line`,
  );
  return { catalog: catalog.map((r) => r.line), seeded: seeded.map((r) => r.line) };
}

describe('provisioning from the rendered template', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('when a workspace is provisioned, then its schema is the same as one the migrations build, with fresh ids and times', async () => {
    const owner = await verifiedAccount(server);
    const [a, b] = [
      await createWorkspace(server, owner, 'Template A'),
      await createWorkspace(server, owner, 'Template B'),
    ];
    const migrated = SchemaName.forWorkspace(randomUUID());
    const sequelize = server.container.get(TOKENS.sequelize);
    await new UnitOfWork(sequelize).runInTenant(migrated, async () => {
      await sequelize.query(`CREATE SCHEMA ${migrated.quoted}`, { transaction: UnitOfWork.current() });
      await createTenantMigrator(sequelize, migrated, server.container.get(TOKENS.logger), TENANT_MIGRATIONS_DIR).up();
    });
    try {
      expect(await shape(server, SchemaName.forWorkspace(a.id).value)).toEqual(await shape(server, migrated.value));
      const ids = async (ws: string) =>
        (
          await selectRows<{ id: string }>(
            server,
            `SELECT id FROM ${SchemaName.forWorkspace(ws).quoted}.roles ORDER BY name`,
          )
        ).map((r) => r.id);
      const [idsA, idsB] = [await ids(a.id), await ids(b.id)];
      expect(idsA).toHaveLength(3);
      expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
      const [version] = await selectRows<{ schema_version: string }>(
        server,
        'SELECT schema_version FROM public.workspaces WHERE id = $1',
        [a.id],
      );
      const newest = fs
        .readdirSync(TENANT_MIGRATIONS_DIR)
        .filter((f) => /^\d+.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
        .sort()
        .at(-1)!;
      expect(version!.schema_version).toBe(newest.replace(/\.ts$/, ''));
      const [executed] = await selectRows<{ at: Date }>(
        server,
        `SELECT min(executed_at) AS at FROM ${SchemaName.forWorkspace(a.id).quoted}.schema_migrations`,
      );
      expect(Date.now() - executed!.at.getTime()).toBeLessThan(60_000);
    } finally {
      await sequelize.query(`DROP SCHEMA ${migrated.quoted} CASCADE`);
    }
  });

  test('when a migration brings an object the template does not render (a sequence), then provisioning replays the migrations instead', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-migrations-seq-'));
    for (const f of fs.readdirSync(TENANT_MIGRATIONS_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      fs.symlinkSync(path.join(TENANT_MIGRATIONS_DIR, f), path.join(dir, f));
    }
    fs.writeFileSync(
      path.join(dir, '29990101000000-counter.js'),
      "exports.up = async ({ context: { query } }) => { await query('CREATE SEQUENCE ticket_numbers'); };\n",
    );
    const other = await startTestServer({ TENANT_MIGRATIONS_DIR: dir });
    try {
      const ws = await createWorkspace(other, await verifiedAccount(other), 'Sequence Co');
      const schema = SchemaName.forWorkspace(ws.id).value;
      const sequences = await selectRows(
        other,
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'S'",
        [schema],
      );
      expect(sequences).toHaveLength(1);
      const [version] = await selectRows<{ schema_version: string }>(
        other,
        'SELECT schema_version FROM public.workspaces WHERE id = $1',
        [ws.id],
      );
      expect(version!.schema_version).toBe('29990101000000-counter');
    } finally {
      await other.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
