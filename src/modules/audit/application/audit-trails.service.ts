import { Inject, Service, Token } from 'typedi';
import type { SchemaName } from '../../../core/domain/schema-name';
import { AUDIT_LOG } from '../audit.public';
import type { AuditLog } from '../domain/audit-log';
import type { AuditFilter, AuditRecord, AuditTrail } from '../domain/audit-trail';

export const AUDIT_TRAIL = new Token<AuditTrail>('AuditTrail');

export type ExportFormat = 'ndjson' | 'csv';

/**
 * The audit trail of a workspace (its tenant schema) or of the platform (schema null): exports
 * stream it whole, oldest first; pages read it newest first by keyset. An export is itself
 * audited (who took a copy of the trail, of which range, in which format).
 */
@Service()
export class AuditTrails {
  constructor(
    @Inject(AUDIT_TRAIL) private readonly trail: AuditTrail,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  async export(input: {
    schema: SchemaName | null;
    from?: Date;
    to?: Date;
    format: ExportFormat;
  }): Promise<AsyncIterable<AuditRecord[]>> {
    await this.audit.record({
      action: input.schema ? 'audit.exported' : 'platform.audit.exported',
      metadata: {
        format: input.format,
        from: input.from?.toISOString() ?? null,
        to: input.to?.toISOString() ?? null,
      },
    });
    return this.trail.export(input.schema, { from: input.from, to: input.to });
  }

  /** One page newest first, and the position after its last item when there may be more. */
  async page(
    schema: SchemaName | null,
    query: AuditFilter & { limit: number; after: { position: string; id: string } | null },
  ): Promise<{ items: AuditRecord[]; next: { position: string; id: string } | null }> {
    const rows = await this.trail.page(schema, { ...query, limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > query.limit && last ? { position: last.position, id: last.id } : null };
  }
}
