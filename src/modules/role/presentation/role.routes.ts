import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { ValidationError } from '../../../core/errors/app-error';
import { CursorCodec } from '../../../core/http/cursor';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { auditQuery, ListAuditEvents } from '../application/list-audit-events.use-case';
import {
  createRoleInput,
  deleteRoleQuery,
  ManageRoles,
  rolePermissionsInput,
  updateRoleInput,
} from '../application/manage-roles.use-case';
import { PermissionService } from '../application/permission.service';
import { memberRolesInput, SetMemberRoles } from '../application/set-member-roles.use-case';
import { PLATFORM_PERMISSIONS, WORKSPACE_PERMISSIONS } from '../domain/permissions';

const permissionView = z
  .object({ code: z.string(), scope: z.enum(['workspace', 'platform']), description: z.string() })
  .openapi('Permission');

const CATALOGUE = [
  ...Object.entries(WORKSPACE_PERMISSIONS).map(([code, description]) => ({
    code,
    scope: 'workspace' as const,
    description,
  })),
  ...Object.entries(PLATFORM_PERMISSIONS).map(([code, description]) => ({
    code,
    scope: 'platform' as const,
    description,
  })),
];

const roleView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    isSystem: z.boolean(),
    permissions: z.array(z.string()),
    memberCount: z.number().int(),
  })
  .openapi('Role');

const auditEventView = z
  .object({
    id: z.uuid(),
    at: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    requestId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent');

const auditPageMeta = z
  .object({
    page: z.number().int().optional().openapi({ description: 'Page mode only' }),
    limit: z.number().int(),
    total: z.number().int().optional().openapi({ description: 'Page mode only' }),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as ?cursor= for the next page; null on the last' }),
  })
  .openapi('AuditPageMeta');
const auditPosition = z.strictObject({
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  id: z.uuid(),
});

const inWorkspace = z.strictObject({ workspaceId: z.uuid() });
const byRole = z.strictObject({ workspaceId: z.uuid(), roleId: z.uuid() });
const byMember = z.strictObject({ workspaceId: z.uuid(), userId: z.uuid() });

export function roleRoutes(container: ContainerInstance): RouteSpec[] {
  const roles = () => container.get(ManageRoles);
  const cursors = new CursorCodec(container.get(TOKENS.config).auth.dataEncryptionKey, 'audit-cursor');
  return [
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/roles',
      tags: ['Roles'],
      summary: 'Roles of the active workspace with their permissions',
      auth: 'workspace',
      permission: 'roles.read',
      request: { params: inWorkspace },
      response: { status: 200, description: 'Roles', schema: z.array(roleView) },
      errors: [403, 404],
      handler: async () => roles().list(),
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/roles',
      tags: ['Roles'],
      summary: 'Create a custom role (only with permissions you hold)',
      auth: 'workspace',
      permission: 'roles.manage',
      request: { params: inWorkspace, body: createRoleInput },
      response: { status: 201, description: 'The new role', schema: roleView },
      errors: [403, 404, 409],
      handler: async ({ body }, ctx) => roles().create(principalOf(ctx), body),
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/roles/:roleId',
      tags: ['Roles'],
      summary: 'One role',
      auth: 'workspace',
      permission: 'roles.read',
      request: { params: byRole },
      response: { status: 200, description: 'The role', schema: roleView },
      errors: [403, 404],
      handler: async ({ params }) => roles().get(params.roleId),
    }),
    defineRoute({
      method: 'put',
      path: '/workspaces/:workspaceId/roles/:roleId',
      tags: ['Roles'],
      summary: 'Rename or describe a role (system roles keep their names; admin cannot be edited)',
      auth: 'workspace',
      permission: 'roles.manage',
      request: { params: byRole, body: updateRoleInput },
      response: { status: 200, description: 'The role', schema: roleView },
      errors: [403, 404, 409, 422],
      handler: async ({ params, body }, ctx) => roles().update(principalOf(ctx), params.roleId, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/workspaces/:workspaceId/roles/:roleId',
      tags: ['Roles'],
      summary: 'Delete a custom role; holders must be moved with ?moveTo=<roleId>',
      auth: 'workspace',
      permission: 'roles.manage',
      request: { params: byRole, query: deleteRoleQuery },
      response: { status: 204, description: 'Deleted' },
      errors: [403, 404, 409, 422],
      handler: async ({ params, query }, ctx) => roles().delete(principalOf(ctx), params.roleId, query.moveTo),
    }),
    defineRoute({
      method: 'put',
      path: '/workspaces/:workspaceId/roles/:roleId/permissions',
      tags: ['Roles'],
      summary: 'Set the permissions a role grants (only ones you hold; not the admin role)',
      auth: 'workspace',
      permission: 'roles.manage',
      request: { params: byRole, body: rolePermissionsInput },
      response: { status: 200, description: 'The role', schema: roleView },
      errors: [403, 404, 422],
      handler: async ({ params, body }, ctx) =>
        roles().setPermissions(principalOf(ctx), params.roleId, body.permissions),
    }),
    defineRoute({
      method: 'put',
      path: '/workspaces/:workspaceId/members/:userId/roles',
      tags: ['Roles'],
      summary: "Set a member's roles (never removing the last admin; only roles you could grant)",
      auth: 'workspace',
      permission: 'roles.assign',
      request: { params: byMember, body: memberRolesInput },
      response: { status: 200, description: 'The member roles', schema: z.object({ roles: z.array(z.string()) }) },
      errors: [403, 404, 422],
      handler: async ({ params, body }, ctx) => ({
        roles: await container.get(SetMemberRoles).execute(principalOf(ctx), params.userId, body.roles),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/audit-events',
      tags: ['Roles'],
      summary: 'The workspace audit trail, newest first (filters: actor, action, from, to)',
      description:
        'By page (`page`, `limit`; meta has `page`, `limit`, `total`) or by cursor: pass `meta.nextCursor` as ' +
        '`?cursor=` (not with `page`) for the next page; null on the last. An altered cursor is a 400 `INVALID_CURSOR`.',
      auth: 'workspace',
      permission: 'audit.read',
      request: { params: inWorkspace, query: auditQuery },
      response: {
        status: 200,
        description: 'A page of events',
        schema: auditEventView,
        paginated: true,
        meta: auditPageMeta,
      },
      errors: [403, 404],
      handler: async ({ query }) => {
        const { cursor, ...filters } = query;
        if (cursor && filters.page !== undefined) {
          throw new ValidationError('Send either page or cursor', [
            { path: 'query.page', message: 'page cannot be combined with cursor', code: 'invalid_combination' },
          ]);
        }
        const after = cursor ? cursors.decode(cursor, auditPosition) : null;
        const page = await container
          .get(ListAuditEvents)
          .execute({ ...filters, after: after ? { at: after.t, id: after.id } : null });
        return {
          items: page.items.map(({ position: _position, ...e }) => ({ ...e, at: e.at.toISOString() })),
          meta: {
            page: page.page,
            limit: page.limit,
            total: page.total,
            nextCursor: page.next ? cursors.encode({ t: page.next.at, id: page.next.id }) : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/permissions',
      tags: ['Roles'],
      summary: 'The permission catalogue',
      auth: 'user',
      permission: null,
      response: { status: 200, description: 'Every permission a role can grant', schema: z.array(permissionView) },
      handler: async () => CATALOGUE,
    }),
    defineRoute({
      method: 'get',
      path: '/me/permissions',
      tags: ['Roles'],
      summary: 'Your effective permissions in the active workspace (workspace roles ∪ global roles)',
      auth: 'workspace',
      permission: null,
      response: {
        status: 200,
        description: 'Permission codes',
        schema: z.object({ permissions: z.array(z.string()) }),
      },
      handler: async (_input, ctx) => ({
        permissions: await container.get(PermissionService).effective(principalOf(ctx)),
      }),
    }),
  ];
}
