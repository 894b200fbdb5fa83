import type { SchemaName } from '../../../core/domain/schema-name';

/** One audit event as stored (export and platform listing; never a secret in metadata). */
export interface AuditRecord {
  id: string;
  at: Date;
  /** The position of the event in the trail (its `at` to the microsecond), for cursors. */
  position: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

export interface AuditRange {
  from?: Date;
  to?: Date;
}

export interface AuditFilter extends AuditRange {
  actorId?: string;
  action?: string;
}

/** A trail: a tenant schema's audit_events, or the platform's (schema null). */
export interface AuditTrail {
  /** Every event in the range, oldest first, in batches read from one snapshot. */
  export(schema: SchemaName | null, range: AuditRange): AsyncIterable<AuditRecord[]>;
  /** Newest first, after the position (keyset), at most `limit`. */
  page(
    schema: SchemaName | null,
    query: AuditFilter & { limit: number; after: { position: string; id: string } | null },
  ): Promise<AuditRecord[]>;
}
