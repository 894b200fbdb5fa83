import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { ValidationError } from '../../../core/errors/app-error';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { CloneTenant } from '../application/clone-tenant.use-case';
import { ExportTenant } from '../application/export-tenant.use-case';
import { ImportTenant } from '../application/import-tenant.use-case';
import { MoveTenant } from '../application/move-tenant.use-case';
import { PurgeTenant } from '../application/purge-tenant.use-case';

const PERMISSION = 'platform.workspaces.manage';
const TAGS = ['Tenant lifecycle'];
const byWorkspace = z.strictObject({ workspaceId: z.uuid() });
const ARCHIVE_TYPES = ['application/gzip', 'application/x-tar'];

const importReport = z.object({
  workspace: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  source: z.object({ id: z.uuid(), slug: z.string(), exportedAt: z.string() }),
  tenantVersion: z.object({ archive: z.string(), now: z.string() }),
  migratedForward: z.array(z.string()),
  rows: z.record(z.string(), z.number().int()),
  accounts: z.object({ matched: z.number().int(), created: z.number().int(), remapped: z.number().int() }),
});

const moveReport = z.object({
  workspace: z.object({ id: z.uuid(), slug: z.string(), schema: z.string() }),
  from: z.string(),
  to: z.string(),
  tables: z.record(z.string(), z.object({ rows: z.number().int(), checksum: z.string() })),
  frozenMs: z.number().int(),
  phases: z.object({ waitMs: z.number().int(), copyMs: z.number().int(), verifyMs: z.number().int() }),
  resumed: z.boolean(),
});

const purgeReceipt = z.object({
  workspace: z.object({ id: z.uuid(), slug: z.string(), schema: z.string() }),
  purgedAt: z.string(),
  removed: z.object({
    schema: z.string(),
    tenantRows: z.record(z.string(), z.number().int()),
    memberships: z.number().int(),
    directoryRow: z.number().int(),
    finishedJobs: z.number().int(),
  }),
  redacted: z.object({ platformAuditEvents: z.number().int(), notificationsElsewhere: z.number().int() }),
  detached: z.object({ sessions: z.number().int(), users: z.number().int() }),
});

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Platform-admin routes over the lifecycle use cases the tenant:* scripts run. */
export function lifecycleRoutes(container: ContainerInstance): RouteSpec[] {
  const logger = () => container.get(TOKENS.logger);
  return [
    defineRoute({
      method: 'get',
      path: '/admin/workspaces/:workspaceId/export',
      tags: TAGS,
      summary: 'Download a workspace archive (gzip-compressed tar, streamed from one snapshot)',
      auth: 'user',
      permission: PERMISSION,
      request: { params: byWorkspace },
      response: {
        status: 200,
        description: 'The archive (format 1, ADR 0010)',
        raw: { contentType: 'application/gzip' },
      },
      errors: [401, 403, 404],
      handler: async ({ params }, ctx) => {
        const prepared = await container.get(ExportTenant).prepare({
          workspace: params.workspaceId,
          actorId: principalOf(ctx).userId,
        });
        const day = new Date().toISOString().slice(0, 10);
        ctx.set('Content-Disposition', `attachment; filename="${prepared.workspace.slug}-${day}.tar.gz"`);
        ctx.set('Cache-Control', 'no-store');
        const gzip = zlib.createGzip();
        const body = gzip.pipe(new PassThrough());
        // Headers are sent once streaming starts: a failure after that can only cut the download
        // short, which an importer detects (the manifest comes last).
        prepared.write(gzip).catch((err: Error) => {
          logger().error({ err: { message: err.message }, workspaceId: prepared.workspace.id }, 'export failed');
          body.destroy(err);
        });
        return body;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/workspaces/import',
      tags: TAGS,
      summary: 'Restore a workspace from an archive, all or nothing (or import it as a copy)',
      auth: 'user',
      permission: PERMISSION,
      request: {
        query: z.strictObject({
          asNew: flag.optional(),
          slug: z.string().max(48).optional(),
          name: z.string().max(100).optional(),
        }),
        stream: {
          contentTypes: ARCHIVE_TYPES,
          description: 'An archive made by export: gzip-compressed, or a plain tar',
        },
      },
      response: { status: 201, description: 'What was restored', schema: importReport },
      errors: [401, 403, 409, 422],
      handler: async ({ query, stream }, ctx) => {
        let archive = stream!;
        if (ctx.is('application/gzip')) {
          // pipeline, not pipe: a corrupt gzip must reach the importer as an error, not crash the process.
          const plain = new PassThrough();
          // Its error reaches the importer through its own pipeline, which may attach a little later.
          plain.on('error', () => undefined);
          pipeline(stream!, zlib.createGunzip(), plain).catch((err: Error) => plain.destroy(err));
          archive = plain;
        }
        return container.get(ImportTenant).execute({
          archive,
          options: { asNew: query.asNew ?? false, slug: query.slug, name: query.name },
          actorId: principalOf(ctx).userId,
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/workspaces/:workspaceId/clone',
      tags: TAGS,
      summary: 'Copy a workspace under a new id, name and slug (pending invitations are not copied live)',
      auth: 'user',
      permission: PERMISSION,
      request: {
        params: byWorkspace,
        body: z.strictObject({ name: z.string().trim().min(1).max(100), slug: z.string().max(48).optional() }),
      },
      response: { status: 201, description: 'The copy', schema: importReport },
      errors: [401, 403, 404, 409, 422],
      handler: async ({ params, body }, ctx) =>
        container.get(CloneTenant).execute({
          workspace: params.workspaceId,
          name: body.name,
          slug: body.slug,
          actorId: principalOf(ctx).userId,
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/workspaces/:workspaceId/move',
      tags: TAGS,
      summary: 'Move a workspace to another tenant database (TENANT_DATABASES; "main" is the main one)',
      description:
        'Its writes answer 503 TENANT_MOVING with Retry-After while its tables are copied and verified (row counts and ' +
        'checksums); then the source schema is dropped and the directory points at the target. Calling it again ' +
        'finishes a move that was cut short.',
      auth: 'user',
      permission: PERMISSION,
      request: {
        params: byWorkspace,
        body: z.strictObject({ to: z.string().regex(/^[a-z][a-z0-9_]{0,29}$/, 'a tenant database name') }),
      },
      response: { status: 200, description: 'What was copied and verified', schema: moveReport },
      errors: [401, 403, 404, 409, 422],
      handler: async ({ params, body }, ctx) =>
        container
          .get(MoveTenant)
          .execute({ workspace: params.workspaceId, to: body.to, actorId: principalOf(ctx).userId }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/workspaces/:workspaceId/purge',
      tags: TAGS,
      summary: 'Erase a deleted workspace and every trace it left, for good; returns a receipt',
      auth: 'user',
      permission: PERMISSION,
      request: {
        params: byWorkspace,
        body: z.strictObject({ confirm: z.uuid().describe('The workspace id again: erasure cannot be undone') }),
      },
      response: { status: 200, description: 'The receipt of what was removed or redacted', schema: purgeReceipt },
      errors: [401, 403, 404, 422],
      handler: async ({ params, body }, ctx) => {
        if (body.confirm !== params.workspaceId) {
          throw new ValidationError('confirm must repeat the workspace id', [
            { path: 'body.confirm', message: 'Repeat the workspace id to confirm the erasure' },
          ]);
        }
        return container.get(PurgeTenant).execute({ workspace: params.workspaceId, actorId: principalOf(ctx).userId });
      },
    }),
  ];
}
