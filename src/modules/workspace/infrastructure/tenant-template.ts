import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { SchemaName } from '../../../core/domain/schema-name';
import { quoteIdent } from '../../../core/infrastructure/database/sql';

/** One seeded table of the template: its rows and how each column is filled for a new tenant. */
interface SeedTable {
  name: string;
  rows: Record<string, unknown>[];
  /** Columns written with the template's value (after remapping ids). */
  columns: string[];
  /** A uuid primary key with a random default: a fresh id per tenant, which children follow. */
  freshKey: string | null;
  /** Columns pointing at another seeded table's fresh key: table → its key, per column. */
  follows: Record<string, string>;
}

export interface RenderedTemplate {
  version: string;
  /** Statements creating every table, constraint and index, unqualified (the tenant's search_path). */
  ddl: string;
  seeds: SeedTable[];
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** Defaults evaluated per row (ids, timestamps): a tenant gets its own values, not the template's. */
const VOLATILE_DEFAULT = /gen_random_uuid\(\)|now\(\)|CURRENT_TIMESTAMP|clock_timestamp\(\)/i;

/**
 * The migrated tenant schema rendered once per release as SQL: provisioning then runs it in one
 * round trip instead of replaying every migration. It is rendered from PostgreSQL's own catalog
 * (pg_get_constraintdef, pg_get_indexdef, format_type), applied to a second scratch schema and
 * compared object by object with the migrated one; anything it does not understand (sequences,
 * views, functions, triggers, identity columns) or any difference means no template, and
 * provisioning keeps replaying the migrations. Both scratch schemas live inside a savepoint of the
 * caller's transaction and are rolled back: nothing is left, and no second connection is needed.
 */
export async function renderTemplate(
  sequelize: Sequelize,
  transaction: Transaction,
  version: string,
  migrate: (schema: SchemaName) => Promise<void>,
): Promise<RenderedTemplate | null> {
  const q = <T extends object>(sql: string) => sequelize.query<T>(sql, { transaction, type: QueryTypes.SELECT });
  const run = (sql: string) => sequelize.query(sql, { transaction });
  const [migrated, rendered] = [SchemaName.forWorkspace(randomUUID()), SchemaName.forWorkspace(randomUUID())];
  await run('SAVEPOINT tenant_template');
  try {
    await run(`CREATE SCHEMA ${migrated.quoted}; SET LOCAL search_path TO ${migrated.quoted}, public`);
    await migrate(migrated);
    // Only the template in the path: its own objects print unqualified, public's qualified.
    await run(`SET LOCAL search_path TO ${migrated.quoted}`);
    if (await hasUnsupportedObjects(q, migrated.value)) return null;
    const template: RenderedTemplate = {
      version,
      ddl: await ddlOf(q, migrated.value),
      seeds: await seedsOf(q, migrated.value),
    };
    await run(`CREATE SCHEMA ${rendered.quoted}; SET LOCAL search_path TO ${rendered.quoted}, public`);
    await run(templateSql(template));
    const [a, b] = [await fingerprint(q, run, migrated), await fingerprint(q, run, rendered)];
    return a === b ? template : null;
  } finally {
    await run('ROLLBACK TO SAVEPOINT tenant_template; RELEASE SAVEPOINT tenant_template');
  }
}

/** The statements that make a new tenant from the template, in the tenant's search_path. */
export function templateSql(template: RenderedTemplate): string {
  const fresh = new Map<string, Map<string, string>>();
  const inserts = template.seeds.map((table) => {
    const ids = new Map<string, string>();
    if (table.freshKey) fresh.set(table.name, ids);
    const rows = table.rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const column of table.columns) {
        if (column === table.freshKey) {
          const id = randomUUID();
          ids.set(String(row[column]), id);
          out[column] = id;
        } else if (table.follows[column]) {
          out[column] = fresh.get(table.follows[column])?.get(String(row[column])) ?? row[column];
        } else out[column] = row[column];
      }
      return out;
    });
    const columns = table.columns.map(quoteIdent).join(', ');
    return `INSERT INTO ${quoteIdent(table.name)} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${quoteIdent(table.name)}, ${literal(JSON.stringify(rows))})`;
  });
  return [template.ddl, ...inserts].join(';\n');
}

type Select = <T extends object>(sql: string) => Promise<T[]>;

async function hasUnsupportedObjects(q: Select, schema: string): Promise<boolean> {
  const s = literal(schema);
  const [row] = await q<{ n: number }>(`
    SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ${s} AND c.relkind NOT IN ('r', 'i'))
         + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ${s})
         + (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ${s} AND NOT t.tgisinternal)
         + (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ${s} AND a.attidentity <> '')
         + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE n.nspname = ${s} AND t.typtype NOT IN ('c') AND t.typrelid = 0 AND t.typelem = 0) AS n`);
  return Number(row?.n ?? 1) > 0;
}

/** Tables with their columns, then constraints (foreign keys last), then the other indexes. */
async function ddlOf(q: Select, schema: string): Promise<string> {
  const s = literal(schema);
  const tables = await q<{ table: string; columns: string }>(`
    SELECT c.relname AS "table", string_agg(
        format('%I %s%s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
          CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END,
          CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
          CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
               WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END),
        ', ' ORDER BY a.attnum) AS columns
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE n.nspname = ${s} AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname`);
  const constraints = await q<{ sql: string }>(`
    SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, k.conname, pg_get_constraintdef(k.oid)) AS sql
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${s} AND k.contype IN ('p', 'u', 'c', 'x', 'f')
    ORDER BY k.contype = 'f', c.relname, k.conname`);
  const indexes = await q<{ sql: string }>(`
    SELECT pg_get_indexdef(i.indexrelid) AS sql FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_class x ON x.oid = i.indexrelid
    WHERE n.nspname = ${s} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ORDER BY x.relname`);
  // pg_get_indexdef names the table with its schema whatever the search_path: the template's own
  // (random, never reused) name is cut so each statement lands in the tenant's schema.
  const own = new RegExp(`(?<![\\w"])"?${schema}"?\\.`, 'g');
  return [
    ...tables.map((t) => `CREATE TABLE ${quoteIdent(t.table)} (${t.columns})`),
    ...constraints.map((c) => c.sql),
    ...indexes.map((i) => i.sql),
  ]
    .map((sql) => sql.replace(own, ''))
    .join(';\n');
}

async function seedsOf(q: Select, schema: string): Promise<SeedTable[]> {
  const s = literal(schema);
  const columns = await q<{ table: string; column: string; default: string | null; pk_uuid: boolean }>(`
    SELECT c.relname AS "table", a.attname AS "column", pg_get_expr(d.adbin, d.adrelid) AS "default",
      (a.atttypid = 'uuid'::regtype AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary
        AND i.indnatts = 1 AND i.indkey[0] = a.attnum)) AS pk_uuid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE n.nspname = ${s} AND c.relkind = 'r' ORDER BY c.relname, a.attnum`);
  const references = await q<{ table: string; column: string; parent: string }>(`
    SELECT c.relname AS "table", a.attname AS "column", p.relname AS parent
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
    WHERE n.nspname = ${s} AND k.contype = 'f' AND array_length(k.conkey, 1) = 1 AND p.relnamespace = c.relnamespace`);
  const seeds: SeedTable[] = [];
  // Parents first: a child's reference is remapped to the id its parent got.
  const names: string[] = [];
  const pending = new Set(columns.map((c) => c.table));
  while (pending.size > 0) {
    const ready = [...pending].filter(
      (t) => !references.some((r) => r.table === t && r.parent !== t && pending.has(r.parent)),
    );
    if (ready.length === 0) throw new Error('the tenant tables reference each other in a cycle');
    for (const t of ready.sort()) {
      names.push(t);
      pending.delete(t);
    }
  }
  for (const name of names) {
    const [{ rows }] = (await q<{ rows: Record<string, unknown>[] | null }>(
      `SELECT json_agg(t) AS rows FROM ${quoteIdent(schema)}.${quoteIdent(name)} t`,
    )) as [{ rows: Record<string, unknown>[] | null }];
    if (!rows?.length) continue;
    const own = columns.filter((c) => c.table === name);
    const freshKey = own.find((c) => c.pk_uuid && c.default && VOLATILE_DEFAULT.test(c.default))?.column ?? null;
    seeds.push({
      name,
      rows,
      columns: own
        .filter((c) => c.column === freshKey || !(c.default && VOLATILE_DEFAULT.test(c.default)))
        .map((c) => c.column),
      freshKey,
      follows: Object.fromEntries(references.filter((r) => r.table === name).map((r) => [r.column, r.parent])),
    });
  }
  return seeds;
}

/** Every column, constraint and index of a schema, and its row counts, as text without its name. */
async function fingerprint(q: Select, run: (sql: string) => Promise<unknown>, schema: SchemaName): Promise<string> {
  await run(`SET LOCAL search_path TO ${schema.quoted}`);
  const s = literal(schema.value);
  const [row] = await q<{ text: string }>(`
    SELECT string_agg(line, E'\\n' ORDER BY line) AS text FROM (
      SELECT format('col %s.%s %s %s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
             a.attcollation, pg_get_expr(d.adbin, d.adrelid)) AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = ${s} AND c.relkind = 'r'
      UNION ALL
      SELECT format('con %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${s}
      UNION ALL
      SELECT format('idx %s', replace(pg_get_indexdef(i.indexrelid), ${s} || '.', '')) FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${s}
      UNION ALL
      SELECT format('rows %s %s', c.relname, (xpath('/row/n/text()',
             query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${s} AND c.relkind = 'r'
    ) lines`);
  return row?.text ?? '';
}
