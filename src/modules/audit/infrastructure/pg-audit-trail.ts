import type { Sequelize } from 'sequelize';
import type { SchemaName } from '../../../core/domain/schema-name';
import { Shards } from '../../../core/infrastructure/database/shards';
import { cursorRows, selectRows } from '../../../core/infrastructure/database/sql';
import type { AuditFilter, AuditRange, AuditRecord, AuditTrail } from '../domain/audit-trail';

interface Row {
  id: string;
  at: Date;
  position: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  metadata: Record<string, unknown>;
}

// `position` keeps the microseconds a JavaScript Date would drop, so a cursor never skips a row.
const COLUMNS = `id, at, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position, actor_id, action,
  target_type, target_id, ip, user_agent, request_id, metadata`;

const recordOf = (r: Row): AuditRecord => ({
  id: r.id,
  at: r.at,
  position: r.position,
  actorId: r.actor_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  ip: r.ip,
  userAgent: r.user_agent,
  requestId: r.request_id,
  metadata: r.metadata,
});

const tableOf = (schema: SchemaName | null) => `${schema ? schema.quoted : 'public'}.audit_events`;

/** audit_events read with a server-side cursor (export) or by keyset (pages). */
export class PgAuditTrail implements AuditTrail {
  private readonly shards: Shards;

  constructor(databases: Sequelize | Shards) {
    this.shards = Shards.of(databases);
  }

  /** A tenant's trail is on the database that holds its schema; the platform's on the main one. */
  private async databaseOf(schema: SchemaName | null): Promise<Sequelize> {
    return schema ? this.shards.get(await this.shards.locate(schema.value)) : this.shards.main;
  }

  async *export(schema: SchemaName | null, range: AuditRange): AsyncIterable<AuditRecord[]> {
    const rows = cursorRows<Row>(
      await this.databaseOf(schema),
      `SELECT ${COLUMNS} FROM ${tableOf(schema)}
       WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz) AND ($2::timestamptz IS NULL OR at < $2::timestamptz)
       ORDER BY at, id`,
      [range.from?.toISOString() ?? null, range.to?.toISOString() ?? null],
    );
    for await (const batch of rows) yield batch.map(recordOf);
  }

  async page(
    schema: SchemaName | null,
    query: AuditFilter & { limit: number; after: { position: string; id: string } | null },
  ): Promise<AuditRecord[]> {
    const rows = await selectRows<Row>(
      await this.databaseOf(schema),
      `SELECT ${COLUMNS} FROM ${tableOf(schema)}
       WHERE (CAST(:actorId AS uuid) IS NULL OR actor_id = CAST(:actorId AS uuid))
         AND (CAST(:action AS text) IS NULL OR action = :action)
         AND (CAST(:from AS timestamptz) IS NULL OR at >= CAST(:from AS timestamptz))
         AND (CAST(:to AS timestamptz) IS NULL OR at < CAST(:to AS timestamptz))
         AND (CAST(:afterAt AS timestamptz) IS NULL
              OR (at, id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid)))
       ORDER BY at DESC, id DESC LIMIT :limit`,
      {
        actorId: query.actorId ?? null,
        action: query.action ?? null,
        from: query.from?.toISOString() ?? null,
        to: query.to?.toISOString() ?? null,
        afterAt: query.after?.position ?? null,
        afterId: query.after?.id ?? null,
        limit: query.limit,
      },
    );
    return rows.map(recordOf);
  }
}
