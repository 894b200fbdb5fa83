import { Inject, Service } from 'typedi';
import { z } from '../../../core/http/zod';
import type { AuditEventView, AuditPosition, TenantAuditReader } from '../domain/ports';
import { TENANT_AUDIT_READER } from './tokens';

export const auditQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .openapi({ description: 'meta.nextCursor of the previous page (instead of page)' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  actor: z.uuid().optional(),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)+$/)
    .max(100)
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export interface AuditPage {
  items: AuditEventView[];
  /** Page mode only: the page number and the total of matching events. */
  page?: number;
  total?: number;
  limit: number;
  /** Where the next page starts; null when this page is the last. */
  next: AuditPosition | null;
}

/**
 * The active workspace's audit trail (tenant scope), newest first: by page (page, limit, total)
 * or, after a position, by keyset (no total: what the query counts then is only what is left).
 */
@Service()
export class ListAuditEvents {
  constructor(@Inject(TENANT_AUDIT_READER) private readonly reader: TenantAuditReader) {}

  async execute(
    query: Omit<z.infer<typeof auditQuery>, 'cursor'> & { after?: AuditPosition | null },
  ): Promise<AuditPage> {
    const page = query.after ? 1 : (query.page ?? 1);
    const { items, total } = await this.reader.list({
      actorId: query.actor,
      action: query.action,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      page,
      limit: query.limit,
      after: query.after ?? null,
    });
    const last = items[items.length - 1];
    const more = (page - 1) * query.limit + items.length < total;
    const next = more && last ? last.position : null;
    return query.after ? { items, limit: query.limit, next } : { items, page, total, limit: query.limit, next };
  }
}
