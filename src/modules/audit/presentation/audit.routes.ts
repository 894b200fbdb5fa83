import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { requestContext } from '../../../core/context/request-context';
import { SchemaName } from '../../../core/domain/schema-name';
import { CursorCodec } from '../../../core/http/cursor';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { AuditTrails, type ExportFormat } from '../application/audit-trails.service';
import type { AuditRecord } from '../domain/audit-trail';
import { CSV_HEADER, csvLines, ndjsonLines } from './audit-export-format';

const TAGS = ['Audit'];
const instant = z.iso.datetime({ offset: true });

export const exportQuery = z.strictObject({
  from: instant.optional().openapi({ description: 'Events at or after (ISO 8601)' }),
  to: instant.optional().openapi({ description: 'Events before (ISO 8601)' }),
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
});

const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** Where an audit cursor points: the last event's time to the microsecond, and its id. */
export const auditPosition = z.strictObject({
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  id: z.uuid(),
});

export const platformAuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional().openapi({ description: 'meta.nextCursor of the previous page' }),
  actor: z.uuid().optional(),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)+$/)
    .max(100)
    .optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const platformAuditEventView = z
  .object({
    id: z.uuid(),
    at: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('PlatformAuditEvent');

/** The export as a byte stream: a batch of rows per chunk, pulled only as fast as the client reads. */
function exportStream(batches: AsyncIterable<AuditRecord[]>, format: ExportFormat): Readable {
  async function* render() {
    if (format === 'csv') yield CSV_HEADER;
    for await (const batch of batches) yield format === 'csv' ? csvLines(batch) : ndjsonLines(batch);
  }
  return Readable.from(render(), { objectMode: false });
}

function download(ctx: Context, name: string, format: ExportFormat): void {
  const day = new Date().toISOString().slice(0, 10);
  ctx.type = CONTENT_TYPES[format];
  ctx.set('Content-Disposition', `attachment; filename="${name}-audit-${day}.${format}"`);
  ctx.set('Cache-Control', 'no-store');
}

/** Streamed exports of a workspace's audit trail and of the platform's, and the platform log's pages. */
export function auditRoutes(container: ContainerInstance): RouteSpec[] {
  const trails = () => container.get(AuditTrails);
  const cursors = new CursorCodec(container.get(TOKENS.config).auth.dataEncryptionKey, 'audit-cursor');
  const logger = () => container.get(TOKENS.logger);
  const failed = (stream: Readable) =>
    stream.on('error', (err: Error) => logger().error({ err: { message: err.message } }, 'audit export failed'));
  return [
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/audit-events/export',
      tags: TAGS,
      summary: 'Download the workspace audit trail (NDJSON or CSV, oldest first, streamed from one snapshot)',
      description:
        'Streams every event in [from, to) with no size limit: NDJSON (one object per line) or CSV (RFC 4180; cells ' +
        'a spreadsheet would run as formulas, starting with = + - @, are prefixed with a single quote). ' +
        'The export itself is recorded in the trail (`audit.exported`).',
      auth: 'workspace',
      permission: 'audit.read',
      request: { params: z.strictObject({ workspaceId: z.uuid() }), query: exportQuery },
      response: {
        status: 200,
        description: 'The trail as application/x-ndjson or text/csv',
        raw: { contentType: CONTENT_TYPES.ndjson },
      },
      errors: [403, 404],
      handler: async ({ query }, ctx) => {
        const schema = SchemaName.parse(requestContext.current().tenantSchema ?? '');
        const batches = await trails().export({
          schema,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
          format: query.format,
        });
        download(ctx, 'workspace', query.format);
        return failed(exportStream(batches, query.format));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/audit-events/export',
      tags: TAGS,
      summary: 'Download the platform audit log (NDJSON or CSV, oldest first, streamed from one snapshot)',
      description:
        'The platform log (sign-ins, account and platform actions), as the workspace export. ' +
        'The export itself is recorded (`platform.audit.exported`).',
      auth: 'user',
      permission: 'platform.audit.read',
      request: { query: exportQuery },
      response: {
        status: 200,
        description: 'The log as application/x-ndjson or text/csv',
        raw: { contentType: CONTENT_TYPES.ndjson },
      },
      errors: [403],
      handler: async ({ query }, ctx) => {
        const batches = await trails().export({
          schema: null,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
          format: query.format,
        });
        download(ctx, 'platform', query.format);
        return failed(exportStream(batches, query.format));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/audit-events',
      tags: TAGS,
      summary: 'The platform audit log, newest first (cursor-paginated; filters: actor, action, from, to)',
      description:
        'Pass `meta.nextCursor` as `?cursor=` for the next page (null on the last); an altered cursor is a 400.',
      auth: 'user',
      permission: 'platform.audit.read',
      request: { query: platformAuditQuery },
      response: { status: 200, description: 'A page of events', schema: platformAuditEventView, paginated: 'cursor' },
      errors: [403],
      handler: async ({ query }) => {
        const after = query.cursor ? cursors.decode(query.cursor, auditPosition) : null;
        const page = await trails().page(null, {
          limit: query.limit,
          after: after ? { position: after.t, id: after.id } : null,
          actorId: query.actor,
          action: query.action,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
        });
        return {
          items: page.items.map(({ position, ...r }) => ({ ...r, at: position })),
          meta: {
            limit: query.limit,
            nextCursor: page.next ? cursors.encode({ t: page.next.position, id: page.next.id }) : null,
          },
        };
      },
    }),
  ];
}
