import { SchemaName } from '../../src/core/domain/schema-name';
import { TENANT_USER_REFERENCES } from '../../src/modules/lifecycle/domain/user-references';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, verifiedAccount } from '../support/workspace-helpers';

/** Names that hold a user's id in this codebase: an import must rewrite them when it remaps accounts. */
const LOOKS_LIKE_A_USER = /^(user_id|.*_user_id|.*_by|recipient_id|actor_id)$/;

describe('the user-id columns an import rewrites', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('when the tenant schema is migrated, then every column named like a user id is declared, and every declared column exists', async () => {
    const ws = await createWorkspace(server, await verifiedAccount(server), 'User References');
    const columns = await selectRows<{ table: string; column: string; type: string }>(
      server,
      `SELECT table_name AS "table", column_name AS "column", data_type AS type FROM information_schema.columns
       WHERE table_schema = $1 AND table_name <> 'schema_migrations' ORDER BY 1, 2`,
      [SchemaName.forWorkspace(ws.id).value],
    );
    const userish = columns.filter((c) => c.type === 'uuid' && LOOKS_LIKE_A_USER.test(c.column));
    const declared = Object.entries(TENANT_USER_REFERENCES).flatMap(([table, refs]) =>
      refs.filter((r) => !r.when).map((r) => ({ table, column: r.column })),
    );
    expect(declared.map((d) => `${d.table}.${d.column}`).sort()).toEqual(
      userish.map((c) => `${c.table}.${c.column}`).sort(),
    );
    const conditional = Object.entries(TENANT_USER_REFERENCES).flatMap(([table, refs]) =>
      refs.filter((r) => r.when).flatMap((r) => [`${table}.${r.column}`, `${table}.${r.when!.column}`]),
    );
    const existing = new Set(columns.map((c) => `${c.table}.${c.column}`));
    expect(conditional.filter((name) => !existing.has(name))).toEqual([]);
  });
});
