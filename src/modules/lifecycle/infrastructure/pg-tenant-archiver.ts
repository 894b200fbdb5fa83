import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { Sequelize } from 'sequelize';
import { extract as tarExtract, pack as tarPack, type Extract, type Pack } from 'tar-stream';
import { SchemaName } from '../../../core/domain/schema-name';
import { ConflictError, NotFoundError } from '../../../core/errors/app-error';
import { createTenantMigrator, migrationNames } from '../../../core/infrastructure/database/migrator';
import { MAIN_SHARD, Shards } from '../../../core/infrastructure/database/shards';
import { clientOf, quoteIdent, sqlState, withPooledClient } from '../../../core/infrastructure/database/sql';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { Logger } from '../../../core/logger';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  ArchiveError,
  checkHeader,
  checkManifest,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  MEMBERSHIP_COLUMNS,
  MEMBERSHIPS_STREAM,
  PART_BYTES,
  partName,
  streamOfPart,
  USER_COLUMNS,
  USERS_STREAM,
  type ArchiveHeader,
  type ArchiveStream,
  type StreamDigest,
} from '../domain/archive';
import type {
  ArchiveProgress,
  ExportReport,
  ImportOptions,
  ImportReport,
  ImportTarget,
  TenantArchiver,
} from '../domain/ports';
import { TENANT_USER_REFERENCES } from '../domain/user-references';
import { DigestTap, remapUserIds } from './copy-text';

/** One entry of an archive being read: its header and a stream of its bytes. */
type Entry = Extract extends AsyncIterable<infer T> ? T : never;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** header.json and manifest.json are read whole: a bound, so a hostile archive cannot fill memory. */
const MAX_JSON_ENTRY = 1024 * 1024;
export const MIGRATIONS_TABLE = 'schema_migrations';

class WorkspaceNotFound extends NotFoundError {
  constructor() {
    super('Workspace not found', 'WORKSPACE_NOT_FOUND');
  }
}

/**
 * Workspace archives with COPY streams (pg-copy-streams) in a tar (tar-stream): memory holds one
 * part (4 MiB) at a time whatever the workspace's size. Export reads one REPEATABLE READ snapshot;
 * import writes everything (schema, directory rows, data, forward migrations) in one transaction.
 */
export class PgTenantArchiver implements TenantArchiver {
  private readonly uow: UnitOfWork;
  private readonly shards: Shards;
  private readonly sequelize: Sequelize;

  constructor(
    databases: Sequelize | Shards,
    private readonly logger: Logger,
    private readonly migrationsDir?: string,
  ) {
    this.shards = Shards.of(databases);
    this.sequelize = this.shards.main;
    this.uow = new UnitOfWork(this.sequelize);
  }

  async export(workspaceId: string, out: NodeJS.WritableStream, progress?: ArchiveProgress): Promise<ExportReport> {
    if (!UUID.test(workspaceId)) throw new WorkspaceNotFound();
    return withPooledClient(this.sequelize, async (client) => {
      // One snapshot for everything: the archive is consistent while the API keeps writing.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const pack = tarPack();
      const written = pipeline(pack as unknown as Readable, out as Writable);
      try {
        const report = await this.withTenantClient(client, workspaceId, (tenant) =>
          this.writeArchive(client, tenant, workspaceId, pack, progress),
        );
        pack.finalize();
        await written;
        await client.query('COMMIT');
        return report;
      } catch (err) {
        pack.destroy(err as Error);
        await written.catch(() => undefined);
        // A COPY cut short may leave the connection mid-protocol: the pool discards it (and with
        // it the read-only snapshot) instead of reusing it.
        (client as Client & { _invalid?: boolean })._invalid = true;
        throw err;
      }
    });
  }

  /**
   * The connection that reads the tenant's tables: the directory's own when the schema is on the
   * main database (one snapshot for the whole archive), else one on the tenant's database with a
   * snapshot of its own (the tenant's tables are consistent together; ADR 0012).
   */
  private async withTenantClient<T>(
    directory: Client,
    workspaceId: string,
    work: (tenant: Client) => Promise<T>,
  ): Promise<T> {
    const shard = (
      await directory.query<{ shard: string }>('SELECT shard FROM public.workspaces WHERE id = $1', [workspaceId])
    ).rows[0]?.shard;
    if (!shard || shard === MAIN_SHARD) return work(directory);
    return withPooledClient(this.shards.get(shard), async (tenant) => {
      await tenant.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const result = await work(tenant);
        await tenant.query('COMMIT');
        return result;
      } catch (err) {
        (tenant as Client & { _invalid?: boolean })._invalid = true;
        throw err;
      }
    });
  }

  private async writeArchive(
    client: Client,
    tenant: Client,
    workspaceId: string,
    pack: Pack,
    progress?: ArchiveProgress,
  ): Promise<ExportReport> {
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT id, name, slug, status, settings, owner_id, schema_name, created_at, updated_at, deleted_at
       FROM public.workspaces WHERE id = $1`,
      [workspaceId],
    );
    const row = rows[0];
    if (!row || row.status === 'provisioning') throw new WorkspaceNotFound();
    const schema = SchemaName.parse(String(row.schema_name));
    const [version] = (
      await tenant.query<{ v: string | null }>(`SELECT max(name) AS v FROM ${schema.quoted}.${MIGRATIONS_TABLE}`)
    ).rows;
    if (!version?.v)
      throw new ArchiveError('ARCHIVE_INVALID', `schema ${schema.value} has no tenant migration applied`);
    const tables = await tenantTables(tenant, schema.value);
    const id = `'${workspaceId}'::uuid`;
    const header: ArchiveHeader = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      tenantVersion: version.v,
      workspace: {
        id: workspaceId,
        name: String(row.name),
        slug: String(row.slug),
        status: String(row.status),
        settings: row.settings as Record<string, unknown>,
        ownerId: String(row.owner_id),
        createdAt: (row.created_at as Date).toISOString(),
        updatedAt: (row.updated_at as Date).toISOString(),
        deletedAt: row.deleted_at ? (row.deleted_at as Date).toISOString() : null,
      },
      streams: [
        { name: USERS_STREAM, columns: USER_COLUMNS },
        { name: MEMBERSHIPS_STREAM, columns: MEMBERSHIP_COLUMNS },
        ...tables.map((t) => ({ name: `tenant/${t.name}`, columns: t.columns })),
      ],
    };
    await addEntry(pack, HEADER_ENTRY, Buffer.from(JSON.stringify(header, null, 2)));

    // The workspace's people: members (past ones too) and the owner, soft-deleted accounts included.
    const people = `SELECT user_id FROM public.workspace_memberships WHERE workspace_id = ${id}`;
    const queries: Record<string, string> = {
      [USERS_STREAM]: `SELECT ${USER_COLUMNS.join(', ')} FROM public.users
        WHERE id IN (${people}) OR id = (SELECT owner_id FROM public.workspaces WHERE id = ${id}) ORDER BY id`,
      [MEMBERSHIPS_STREAM]: `SELECT ${MEMBERSHIP_COLUMNS.join(', ')} FROM public.workspace_memberships
        WHERE workspace_id = ${id} ORDER BY user_id`,
    };
    for (const t of tables) {
      const order = t.primaryKey.length > 0 ? ` ORDER BY ${t.primaryKey.map(quoteIdent).join(', ')}` : '';
      queries[`tenant/${t.name}`] =
        `SELECT ${t.columns.map(quoteIdent).join(', ')} FROM ${schema.quoted}.${quoteIdent(t.name)}${order}`;
    }
    const digests: Record<string, StreamDigest> = {};
    let bytes = 0;
    for (const stream of header.streams) {
      const source = stream.name.startsWith('tenant/') ? tenant : client;
      digests[stream.name] = await copyOut(source, queries[stream.name]!, stream.name, pack);
      bytes += digests[stream.name]!.bytes;
      progress?.(stream.name, digests[stream.name]!.rows);
    }
    await addEntry(pack, MANIFEST_ENTRY, Buffer.from(JSON.stringify({ streams: digests }, null, 2)));
    return {
      workspace: { id: workspaceId, slug: header.workspace.slug, name: header.workspace.name },
      tenantVersion: version.v,
      rows: Object.fromEntries(Object.entries(digests).map(([name, d]) => [name, d.rows])),
      bytes,
    };
  }

  async import(
    input: NodeJS.ReadableStream,
    options: ImportOptions,
    progress?: ArchiveProgress,
  ): Promise<ImportReport> {
    const extract = tarExtract();
    const reading = pipeline(input as Readable, extract as unknown as Writable);
    const entries = readable((extract as unknown as AsyncIterable<Entry>)[Symbol.asyncIterator]());
    try {
      const first = await entries.next();
      if (first.done || first.value.header.name !== HEADER_ENTRY) {
        throw new ArchiveError('ARCHIVE_INVALID', `the archive does not start with ${HEADER_ENTRY}`);
      }
      const header = checkHeader(await readJson(first.value), this.knownVersions());
      const target = await options.decide(header);
      const report = await this.uow
        .runInTenant(SchemaName.forWorkspace(target.id), () =>
          this.restore(header, target, entries, options.placeholderPasswordHash, progress),
        )
        .catch((err: unknown) => {
          throw refusal(err);
        });
      await reading;
      return report;
    } catch (err) {
      extract.destroy();
      await reading.catch(() => undefined);
      throw err;
    }
  }

  /** Inside the new tenant's transaction: any throw rolls back every row and the schema itself. */
  private async restore(
    header: ArchiveHeader,
    target: ImportTarget,
    entries: AsyncIterator<Entry>,
    placeholderHash: string,
    progress?: ArchiveProgress,
  ): Promise<ImportReport> {
    const transaction = UnitOfWork.current()!;
    const client = clientOf(transaction);
    const schema = SchemaName.forWorkspace(target.id);
    const migrator = createTenantMigrator(this.sequelize, schema, this.logger, this.migrationsDir);

    await client.query(`CREATE SCHEMA ${schema.quoted}`);
    await migrator.up({ to: header.tenantVersion });
    const tables = new Map((await tenantTables(client, schema.value)).map((t) => [`tenant/${t.name}`, t]));
    const archived = header.streams.filter((s) => s.name.startsWith('tenant/'));
    const mismatch = archived.find((s) => !sameColumns(tables.get(s.name)?.columns, s.columns));
    if (mismatch || archived.length !== tables.size) {
      throw new ArchiveError(
        'ARCHIVE_INVALID',
        `the archive's tables do not match tenant version ${header.tenantVersion}${mismatch ? ` (${mismatch.name})` : ''}`,
      );
    }
    // The migrations seed rows (the system roles): the archive's own rows replace them.
    if (tables.size > 0) {
      await client.query(
        `TRUNCATE ${[...tables.values()].map((t) => `${schema.quoted}.${quoteIdent(t.name)}`).join(', ')}`,
      );
    }
    await client.query(`
      CREATE TEMP TABLE import_users (id uuid, email citext, name text, status text, email_verified_at timestamptz,
        locale text, timezone text, created_at timestamptz, deleted_at timestamptz) ON COMMIT DROP;
      CREATE TEMP TABLE import_memberships (user_id uuid, status text, joined_at timestamptz) ON COMMIT DROP;
      CREATE TEMP TABLE import_user_map (old_id uuid PRIMARY KEY, new_id uuid, created boolean NOT NULL DEFAULT false) ON COMMIT DROP`);

    const digests: Record<string, StreamDigest> = {};
    const order = header.streams.map((s) => s.name);
    let position = 0;
    interface OpenStream {
      stream: string;
      tap: DigestTap;
      sink: Writable;
      done: Promise<void>;
    }
    let open = null as OpenStream | null;
    let people: { remap: Map<string, string>; accounts: ImportReport['accounts'] } | null = null;

    const close = async () => {
      if (!open) return;
      open.tap.end();
      await open.done;
      digests[open.stream] = open.tap.digest();
      progress?.(open.stream, digests[open.stream]!.rows);
      open = null;
    };
    const start = async (stream: ArchiveStream) => {
      if (stream.name.startsWith('tenant/') && !people)
        people = await this.settlePeople(client, header, target, placeholderHash);
      const into =
        stream.name === USERS_STREAM
          ? 'import_users'
          : stream.name === MEMBERSHIPS_STREAM
            ? 'import_memberships'
            : null;
      const table = into ?? `${schema.quoted}.${quoteIdent(stream.name.slice('tenant/'.length))}`;
      const sink = client.query(copyFrom(`COPY ${table} (${stream.columns.map(quoteIdent).join(', ')}) FROM STDIN`));
      const tap = new DigestTap();
      const references = into
        ? []
        : (TENANT_USER_REFERENCES[stream.name.slice('tenant/'.length)] ?? []).filter(
            (ref) => stream.columns.includes(ref.column) && (!ref.when || stream.columns.includes(ref.when.column)),
          );
      const stages: NodeJS.ReadWriteStream[] =
        people && people.remap.size > 0 && references.length > 0
          ? [remapUserIds(stream.columns, references, people.remap)]
          : [];
      const done = (pipeline as (...streams: unknown[]) => Promise<void>)(tap, ...stages, sink);
      // Awaited by close(); until then a failed COPY must not count as an unhandled rejection.
      done.catch(() => undefined);
      open = { stream: stream.name, tap, sink, done };
    };

    let manifest: unknown = undefined;
    try {
      for (let next = await entries.next(); !next.done; next = await entries.next()) {
        const entry = next.value;
        if (manifest !== undefined)
          throw new ArchiveError('ARCHIVE_INVALID', `${entry.header.name} follows the manifest`);
        if (entry.header.name === MANIFEST_ENTRY) {
          await close();
          manifest = await readJson(entry);
          continue;
        }
        const stream = streamOfPart(entry.header.name);
        if (!stream) throw new ArchiveError('ARCHIVE_INVALID', `unexpected entry ${entry.header.name}`);
        const index = order.indexOf(stream, position);
        if (index === -1)
          throw new ArchiveError('ARCHIVE_INVALID', `${entry.header.name} is out of order or not declared`);
        if (open?.stream !== stream) {
          await close();
          position = index;
          await start(header.streams[index]!);
        }
        await pump(entry, open!.tap);
      }
      if (manifest === undefined) throw new ArchiveError('ARCHIVE_INVALID', 'the archive ends without its manifest');
    } catch (err) {
      // A COPY left open would hold the connection in copy mode, and the ROLLBACK behind it.
      open?.sink.destroy(err as Error);
      await open?.done.catch(() => undefined);
      throw err;
    }
    checkManifest(manifest, header, digests);
    people ??= await this.settlePeople(client, header, target, placeholderHash);

    if (target.asNew) {
      // The original's invitation links must not open the copy.
      await client
        .query(
          `UPDATE ${schema.quoted}.invitations SET revoked_at = now() WHERE accepted_at IS NULL AND revoked_at IS NULL`,
        )
        .catch((err: { code?: string }) => {
          if (err.code !== '42P01') throw err;
        });
    }
    await resetSequences(client, schema.value);
    const forward = (await migrator.up()).map((m) => m.name);
    const now = this.knownVersions().at(-1)!;
    await client.query('UPDATE public.workspaces SET schema_version = $1 WHERE id = $2', [now, target.id]);
    return {
      workspace: { id: target.id, slug: target.slug, name: target.name },
      source: { id: header.workspace.id, slug: header.workspace.slug, exportedAt: header.createdAt },
      tenantVersion: { archive: header.tenantVersion, now },
      migratedForward: forward,
      rows: Object.fromEntries(order.map((name) => [name, digests[name]?.rows ?? 0])),
      accounts: people.accounts,
    };
  }

  /**
   * Maps every archived account to one here, then writes the directory row and memberships.
   * An account is itself when its id exists here (a soft-deleted archive account also matches a
   * soft-deleted one); else a live account is matched by email; else it is created, unverified,
   * with a password nobody knows (sign-in goes through forgot-password), under its own id when free.
   */
  private async settlePeople(
    client: Client,
    header: ArchiveHeader,
    target: ImportTarget,
    placeholderHash: string,
  ): Promise<{ remap: Map<string, string>; accounts: ImportReport['accounts'] }> {
    await client.query(`
      INSERT INTO import_user_map (old_id, new_id)
      SELECT i.id, COALESCE(
        (SELECT u.id FROM public.users u WHERE u.id = i.id AND (u.deleted_at IS NULL OR i.deleted_at IS NOT NULL)),
        CASE WHEN i.deleted_at IS NULL THEN (SELECT u.id FROM public.users u WHERE u.email = i.email AND u.deleted_at IS NULL) END)
      FROM import_users i`);
    const [{ n: matched }] = (
      await client.query<{ n: number }>('SELECT count(*)::int AS n FROM import_user_map WHERE new_id IS NOT NULL')
    ).rows as [{ n: number }];
    await client.query(`
      UPDATE import_user_map m SET created = true,
        new_id = CASE WHEN EXISTS (SELECT 1 FROM public.users u WHERE u.id = m.old_id) THEN gen_random_uuid() ELSE m.old_id END
      WHERE new_id IS NULL`);
    const created = await client.query(
      `INSERT INTO public.users (id, email, password_hash, name, status, locale, timezone, created_at, deleted_at)
       SELECT m.new_id, i.email, $1, i.name, CASE WHEN i.deleted_at IS NULL THEN 'pending_verification' ELSE i.status END,
              i.locale, i.timezone, i.created_at, i.deleted_at
       FROM import_users i JOIN import_user_map m ON m.old_id = i.id WHERE m.created`,
      [placeholderHash],
    );
    const ws = header.workspace;
    const fresh = target.asNew;
    const inserted = await client.query(
      `INSERT INTO public.workspaces (id, name, slug, schema_name, owner_id, status, settings, schema_version,
                                      created_at, updated_at, deleted_at)
       SELECT $1, $2, $3, $4, m.new_id, $5, $6, $7, $8, $9, $10 FROM import_user_map m WHERE m.old_id = $11`,
      [
        target.id,
        target.name,
        target.slug,
        SchemaName.forWorkspace(target.id).value,
        fresh || ws.status === 'provisioning' ? 'active' : ws.status,
        JSON.stringify(ws.settings ?? {}),
        header.tenantVersion,
        fresh ? new Date() : ws.createdAt,
        fresh ? new Date() : ws.updatedAt,
        fresh ? null : ws.deletedAt,
        ws.ownerId,
      ],
    );
    if (inserted.rowCount !== 1)
      throw new ArchiveError('ARCHIVE_INVALID', 'the archive does not hold its owner’s account');
    await client.query(
      `INSERT INTO public.workspace_memberships (workspace_id, user_id, status, joined_at)
       SELECT $1, m.new_id, im.status, im.joined_at FROM import_memberships im JOIN import_user_map m ON m.old_id = im.user_id`,
      [target.id],
    );
    const { rows } = await client.query<{ old_id: string; new_id: string }>(
      'SELECT old_id, new_id FROM import_user_map WHERE old_id <> new_id',
    );
    return {
      remap: new Map(rows.map((r) => [r.old_id, r.new_id])),
      accounts: { matched, created: created.rowCount ?? 0, remapped: rows.length },
    };
  }

  /** The tenant migrations this release has, oldest first. */
  private knownVersions(): string[] {
    return migrationNames(this.migrationsDir);
  }
}

/**
 * What the importer tells its caller when PostgreSQL refuses the archive's content: a 4xx naming
 * the cause (the SQLSTATE's class), never the row that failed.
 */
function refusal(err: unknown): unknown {
  const code = sqlState(err);
  if (code === '42P06')
    return new ConflictError('A schema for this workspace id already exists here', 'WORKSPACE_EXISTS');
  if (code && /^(22|23)/.test(code)) {
    return new ArchiveError('ARCHIVE_INVALID', `the archive's data does not fit this database (SQLSTATE ${code})`);
  }
  return err;
}

export interface TenantTable {
  name: string;
  columns: string[];
  primaryKey: string[];
}

/** The data tables of a tenant schema, parents before children (foreign keys), with their columns. */
export async function tenantTables(client: Client, schema: string): Promise<TenantTable[]> {
  const { rows } = await client.query<{ name: string; columns: string[]; pk: string[] | null }>(
    `SELECT c.relname AS name,
       array_agg(a.attname::text ORDER BY a.attnum) AS columns,
       (SELECT array_agg(k.attname::text ORDER BY array_position(i.indkey::int2[], k.attnum))
          FROM pg_index i JOIN pg_attribute k ON k.attrelid = i.indrelid AND k.attnum = ANY (i.indkey::int2[])
          WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $2
     GROUP BY c.oid, c.relname`,
    [schema, MIGRATIONS_TABLE],
  );
  const edges = await client.query<{ child: string; parent: string }>(
    `SELECT src.relname AS child, dst.relname AS parent FROM pg_constraint k
     JOIN pg_class src ON src.oid = k.conrelid JOIN pg_class dst ON dst.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = src.relnamespace
     WHERE k.contype = 'f' AND n.nspname = $1 AND dst.relnamespace = src.relnamespace AND src.oid <> dst.oid`,
    [schema],
  );
  const byName = new Map(rows.map((r) => [r.name, { name: r.name, columns: r.columns, primaryKey: r.pk ?? [] }]));
  const parents = new Map<string, Set<string>>([...byName.keys()].map((name) => [name, new Set<string>()]));
  for (const { child, parent } of edges.rows) parents.get(child)?.add(parent);
  const ordered: TenantTable[] = [];
  while (parents.size > 0) {
    const ready = [...parents]
      .filter(([, of]) => [...of].every((p) => !parents.has(p)))
      .map(([name]) => name)
      .sort();
    if (ready.length === 0)
      throw new Error(`foreign keys in ${schema} form a cycle: ${[...parents.keys()].join(', ')}`);
    for (const name of ready) {
      ordered.push(byName.get(name)!);
      parents.delete(name);
    }
  }
  return ordered;
}

/** COPY out one stream into parts of at most PART_BYTES, awaiting the tar's consumer between parts. */
async function copyOut(client: Client, query: string, stream: string, pack: Pack): Promise<StreamDigest> {
  const tap = new DigestTap();
  let held: Buffer[] = [];
  let size = 0;
  let index = 0;
  const flush = async () => {
    await addEntry(pack, partName(stream, index++), Buffer.concat(held, size));
    tap.countPart();
    held = [];
    size = 0;
  };
  for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT`)) as AsyncIterable<Buffer>) {
    tap.add(chunk);
    held.push(chunk);
    size += chunk.length;
    if (size >= PART_BYTES) await flush();
  }
  if (size > 0) await flush();
  return tap.digest();
}

/** Adds one entry; resolves once the tar has taken it, so a slow reader holds the exporter back. */
function addEntry(pack: Pack, name: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: body.length, mode: 0o644, mtime: new Date(0) }, body, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

async function readJson(entry: Entry): Promise<unknown> {
  if ((entry.header.size ?? 0) > MAX_JSON_ENTRY) {
    throw new ArchiveError('ARCHIVE_INVALID', `${entry.header.name} is larger than ${MAX_JSON_ENTRY} bytes`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ArchiveError('ARCHIVE_INVALID', `${entry.header.name} is not valid JSON`);
  }
}

/** Entries whose read errors (a corrupt gzip or tar, a cut connection) say what they mean: a bad archive. */
function readable(entries: AsyncIterator<Entry>): AsyncIterator<Entry> {
  return {
    next: () =>
      entries.next().catch((err: Error) => {
        throw new ArchiveError('ARCHIVE_INVALID', `the archive cannot be read (${err.message})`);
      }),
  };
}

/** Writes an entry's bytes into the open stream, honouring its backpressure. */
async function pump(entry: Entry, into: Writable): Promise<void> {
  try {
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      if (!into.write(chunk)) await Promise.race([once(into, 'drain'), once(into, 'close')]);
    }
  } catch (err) {
    throw new ArchiveError('ARCHIVE_INVALID', `the archive cannot be read (${(err as Error).message})`);
  }
}

function sameColumns(a: string[] | undefined, b: string[]): boolean {
  return !!a && a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** Sequences owned by the tenant's columns continue after the restored values. */
export async function resetSequences(client: Client, schema: string): Promise<void> {
  const { rows } = await client.query<{ seq: string; tbl: string; col: string }>(
    `SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col FROM pg_depend d
     JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
     JOIN pg_class t ON t.oid = d.refobjid
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     JOIN pg_namespace n ON n.oid = s.relnamespace
     WHERE n.nspname = $1 AND d.deptype IN ('a', 'i')`,
    [schema],
  );
  const q = quoteIdent(schema);
  for (const { seq, tbl, col } of rows) {
    await client.query(
      `SELECT setval('${q}.${quoteIdent(seq)}', COALESCE(max(${quoteIdent(col)}), 1), max(${quoteIdent(col)}) IS NOT NULL) FROM ${q}.${quoteIdent(tbl)}`,
    );
  }
}
