import { readFileSync } from 'node:fs';
import path from 'node:path';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, verifiedAccount } from '../support/workspace-helpers';
import { SchemaName } from '../../src/core/domain/schema-name';

const DOC = path.resolve(__dirname, '../../docs/architecture/database.md');

/** table -> columns, from the erDiagram that follows a heading. */
function diagram(markdown: string, heading: string): Map<string, string[]> {
  const start = markdown.indexOf(heading);
  const block = markdown.slice(start).split('```mermaid')[1]!.split('```')[0]!;
  const tables = new Map<string, string[]>();
  for (const match of block.matchAll(/^\s*(\w+) \{\n([\s\S]*?)^\s*\}/gm)) {
    const columns = match[2]!
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[1])
      .filter((c): c is string => Boolean(c));
    tables.set(match[1]!, columns.sort());
  }
  return tables;
}

async function actual(server: TestServer, schema: string): Promise<Map<string, string[]>> {
  const rows = await selectRows<{ table_name: string; column_name: string }>(
    server,
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
    [schema],
  );
  const tables = new Map<string, string[]>();
  for (const r of rows) tables.set(r.table_name, [...(tables.get(r.table_name) ?? []), r.column_name]);
  for (const [table, columns] of tables) tables.set(table, columns.sort());
  return tables;
}

const sorted = (m: Map<string, string[]>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

describe('docs/architecture/database.md matches the migrations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('when the public schema is migrated, then its tables and columns are the ones the ER diagram shows', async () => {
    const documented = diagram(readFileSync(DOC, 'utf8'), '## `public`');
    expect(sorted(documented)).toEqual(sorted(await actual(server, 'public')));
  });

  test('when a tenant is provisioned, then its tables and columns are the ones the tenant ER diagram shows', async () => {
    const owner = await verifiedAccount(server);
    const workspace = await createWorkspace(server, owner, 'Diagrammed');
    const documented = diagram(readFileSync(DOC, 'utf8'), '## `tenant_<id>`');
    expect(sorted(documented)).toEqual(sorted(await actual(server, SchemaName.forWorkspace(workspace.id).value)));
  });
});
