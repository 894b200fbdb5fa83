import type { Sequelize } from 'sequelize';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import type { AuditEventView, AuditQuery, TenantAuditReader } from '../domain/ports';

/** The current tenant's audit_events, newest first, filtered and paginated. */
export class SqlTenantAuditReader implements TenantAuditReader {
  constructor(private readonly sequelize: Sequelize) {}

  async list(query: AuditQuery): Promise<{ items: AuditEventView[]; total: number }> {
    const rows = await tenantQuery<{
      id: string;
      at: Date;
      actor_id: string | null;
      action: string;
      target_type: string | null;
      target_id: string | null;
      request_id: string | null;
      metadata: Record<string, unknown>;
      position: string;
      total: string;
    }>(
      this.sequelize,
      `SELECT id, at, actor_id, action, target_type, target_id, request_id, metadata,
         to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position, count(*) OVER () AS total
       FROM audit_events
       WHERE (CAST(:actorId AS uuid) IS NULL OR actor_id = CAST(:actorId AS uuid))
         AND (CAST(:action AS text) IS NULL OR action = :action)
         AND (CAST(:from AS timestamptz) IS NULL OR at >= CAST(:from AS timestamptz))
         AND (CAST(:to AS timestamptz) IS NULL OR at < CAST(:to AS timestamptz))
         AND (CAST(:afterAt AS timestamptz) IS NULL
              OR (at, id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid)))
       ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset`,
      {
        actorId: query.actorId ?? null,
        action: query.action ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        afterAt: query.after?.at ?? null,
        afterId: query.after?.id ?? null,
        limit: query.limit,
        offset: (query.page - 1) * query.limit,
      },
    );
    return {
      total: rows[0] ? Number(rows[0].total) : 0,
      items: rows.map((r) => ({
        id: r.id,
        at: r.at,
        position: { at: r.position, id: r.id },
        actorId: r.actor_id,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        requestId: r.request_id,
        metadata: r.metadata,
      })),
    };
  }
}
