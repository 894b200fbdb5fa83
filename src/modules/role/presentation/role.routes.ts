import type { ContainerInstance } from 'typedi';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { PermissionService } from '../application/permission.service';
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

export function roleRoutes(container: ContainerInstance): RouteSpec[] {
  return [
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
