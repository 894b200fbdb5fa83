import type { Client } from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SchemaName } from '../../../core/domain/schema-name';
import { MAIN_SHARD, Shards } from '../../../core/infrastructure/database/shards';
import { clientOf, withPooledClient } from '../../../core/infrastructure/database/sql';
import type { LifecycleDirectory, LifecycleWorkspace, PurgeReceipt } from '../domain/ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REDACTED_NOTIFICATION = 'An invitation to a workspace that no longer exists';

/** The tenant directory for lifecycle operations, and erasure in one transaction. */
export class SqlLifecycleDirectory implements LifecycleDirectory {
  private readonly shards: Shards;
  private readonly sequelize: Sequelize;

  constructor(databases: Sequelize | Shards) {
    this.shards = Shards.of(databases);
    this.sequelize = this.shards.main;
  }

  async find(idOrSlug: string): Promise<LifecycleWorkspace | null> {
    const byId = UUID.test(idOrSlug);
    // A slug names the live workspace holding it, else the one that held it last.
    const [row] = await this.sequelize.query<{
      id: string;
      name: string;
      slug: string;
      status: string;
      schema_name: string;
      shard: string;
      moving_to: string | null;
    }>(
      `SELECT id, name, slug, status, schema_name, shard, moving_to FROM public.workspaces
       WHERE ${byId ? 'id = :value' : 'slug = :value'} ORDER BY deleted_at DESC NULLS FIRST LIMIT 1`,
      { replacements: { value: idOrSlug }, type: QueryTypes.SELECT },
    );
    return row
      ? {
          id: row.id,
          name: row.name,
          slug: row.slug,
          status: row.status,
          schemaName: row.schema_name,
          shard: row.shard,
          movingTo: row.moving_to,
        }
      : null;
  }

  async slugInUse(slug: string): Promise<boolean> {
    const rows = await this.sequelize.query(
      'SELECT 1 FROM public.workspaces WHERE slug = :slug AND deleted_at IS NULL',
      {
        replacements: { slug },
        type: QueryTypes.SELECT,
      },
    );
    return rows.length > 0;
  }

  async purge(workspace: LifecycleWorkspace): Promise<PurgeReceipt> {
    const schema = SchemaName.parse(workspace.schemaName);
    return this.sequelize.transaction(async (transaction) => {
      const client = clientOf(transaction);
      // Nobody may write to the workspace while it is erased (a request, a job, another purge).
      const locked = await client.query('SELECT 1 FROM public.workspaces WHERE id = $1 FOR UPDATE', [workspace.id]);
      if (locked.rowCount !== 1) throw new Error(`workspace ${workspace.id} vanished before it was purged`);
      let tenantRows = await countRows(client, schema);
      let notificationsElsewhere = 0;
      let finishedJobs = await dropJobs(client, workspace.id);
      for (const { name, sequelize } of this.shards.all()) {
        const schemas = await placedOn(client, name, workspace.id);
        if (name === MAIN_SHARD) {
          notificationsElsewhere += await redactNotifications(client, workspace.id, schemas);
          continue;
        }
        // Another database: its part commits first; a failure after it leaves the row to purge again.
        await withPooledClient(sequelize, async (shard) => {
          await shard.query('BEGIN');
          try {
            notificationsElsewhere += await redactNotifications(shard, workspace.id, schemas);
            finishedJobs += await dropJobs(shard, workspace.id);
            if (name === workspace.shard) {
              tenantRows = await countRows(shard, schema);
              await shard.query(`DROP SCHEMA IF EXISTS ${schema.quoted} CASCADE`);
            }
            await shard.query('COMMIT');
          } catch (err) {
            await shard.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        });
      }
      const redacted = {
        platformAuditEvents: await redactAudit(client, workspace.id),
        notificationsElsewhere,
      };
      const detached = {
        sessions: await count(
          client,
          'SELECT count(*)::int AS n FROM public.sessions WHERE workspace_id = $1',
          workspace.id,
        ),
        users: await count(
          client,
          'SELECT count(*)::int AS n FROM public.users WHERE last_workspace_id = $1',
          workspace.id,
        ),
      };
      const memberships = await count(
        client,
        'SELECT count(*)::int AS n FROM public.workspace_memberships WHERE workspace_id = $1',
        workspace.id,
      );
      await client.query(`DROP SCHEMA IF EXISTS ${schema.quoted} CASCADE`);
      // Memberships go with the row (ON DELETE CASCADE); sessions and users let go of it (SET NULL).
      const deleted = await client.query('DELETE FROM public.workspaces WHERE id = $1', [workspace.id]);
      return {
        workspace: { id: workspace.id, slug: workspace.slug, schema: schema.value },
        purgedAt: new Date().toISOString(),
        removed: { schema: schema.value, tenantRows, memberships, directoryRow: deleted.rowCount ?? 0, finishedJobs },
        redacted,
        detached,
      };
    });
  }
}

async function count(client: Client, sql: string, id: string): Promise<number> {
  return (await client.query<{ n: number }>(sql, [id])).rows[0]!.n;
}

/** Rows per table of the schema, for the receipt (the schema may be missing: a broken provisioning). */
async function countRows(client: Client, schema: SchemaName): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1",
    [schema.value],
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${schema.quoted}."${name.replace(/"/g, '""')}"`,
    );
    counts[name] = rows[0]!.n;
  }
  return counts;
}

/**
 * The platform trail keeps that something happened, by whom and when, but no longer what the
 * workspace was called or where a request came from: rows about the workspace lose their
 * metadata, IP and user agent.
 */
async function redactAudit(client: Client, id: string): Promise<number> {
  const result = await client.query(
    `UPDATE public.audit_events SET metadata = '{"redacted": "workspace purged"}'::jsonb, ip = NULL, user_agent = NULL
     WHERE (target_type = 'workspace' AND target_id = $1) OR metadata->>'workspaceId' = $1`,
    [id],
  );
  return result.rowCount ?? 0;
}

/** The other workspaces' schemas on one database (read from the directory). */
async function placedOn(directory: Client, shard: string, id: string): Promise<string[]> {
  const { rows } = await directory.query<{ schema_name: string }>(
    'SELECT schema_name FROM public.workspaces WHERE id <> $1 AND shard = $2',
    [id, shard],
  );
  return rows.map((r) => r.schema_name);
}

/** Invitation notifications in other workspaces name this one: they are emptied, in one round trip. */
async function redactNotifications(client: Client, id: string, schemas: string[]): Promise<number> {
  const { rows } = await client.query<{ schema_name: string }>(
    `SELECT s AS schema_name FROM unnest($1::text[]) AS s
     WHERE to_regclass(quote_ident(s) || '.notifications') IS NOT NULL`,
    [schemas],
  );
  if (rows.length === 0) return 0;
  const statements = rows.map(
    ({ schema_name }) =>
      `UPDATE ${SchemaName.parse(schema_name).quoted}.notifications SET title = '${REDACTED_NOTIFICATION}', body = '',
         data = '{"redacted": true}'::jsonb WHERE data->>'workspaceId' = '${id}'`,
  );
  // The id is a validated UUID and the schema names are parsed: nothing here comes from a client.
  const results = (await client.query(statements.join(';\n'))) as unknown as
    { rowCount: number | null }[] | { rowCount: number | null };
  return (Array.isArray(results) ? results : [results]).reduce((sum, r) => sum + (r.rowCount ?? 0), 0);
}

/** Outbox jobs that mention the workspace and are not running: their payloads name it. */
async function dropJobs(client: Client, id: string): Promise<number> {
  const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS present");
  if (!rows[0]?.present) return 0;
  const result = await client.query("DELETE FROM pgboss.job WHERE state <> 'active' AND strpos(data::text, $1) > 0", [
    id,
  ]);
  return result.rowCount ?? 0;
}
