import { Inject, Service } from 'typedi';
import type { Page } from '../../../core/domain/page';
import { z } from '../../../core/http/zod';
import type { AuditEventView, TenantAuditReader } from '../domain/ports';
import { TENANT_AUDIT_READER } from './tokens';

export const auditQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
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

/** The active workspace's audit trail (tenant scope), newest first. */
@Service()
export class ListAuditEvents {
  constructor(@Inject(TENANT_AUDIT_READER) private readonly reader: TenantAuditReader) {}

  async execute(query: z.infer<typeof auditQuery>): Promise<Page<AuditEventView>> {
    const { items, total } = await this.reader.list({
      actorId: query.actor,
      action: query.action,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      page: query.page,
      limit: query.limit,
    });
    return { items, meta: { page: query.page, limit: query.limit, total } };
  }
}
