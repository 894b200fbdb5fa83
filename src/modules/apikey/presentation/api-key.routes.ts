import type { ContainerInstance } from 'typedi';
import { paginationQuery } from '../../../core/http/envelope';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import type { ApiKeySummary } from '../application/api-key.view';
import { CreateApiKey, createApiKeyInput } from '../application/create-api-key.use-case';
import { ListApiKeys } from '../application/list-api-keys.use-case';
import { RevokeApiKey } from '../application/revoke-api-key.use-case';

const apiKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The public part of the key (tak_<prefix>_…), to recognise it' }),
    roles: z.array(z.string()),
    createdBy: z.uuid().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Recorded at most once a minute' }),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

const createdApiKeyView = apiKeyView
  .extend({
    key: z.string().openapi({ description: 'The whole key: shown this once, never again', example: 'tak_…' }),
  })
  .openapi('CreatedApiKey');

const inWorkspace = z.strictObject({ workspaceId: z.uuid() });
const byKey = z.strictObject({ workspaceId: z.uuid(), keyId: z.uuid() });

const toView = (k: ApiKeySummary) => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  expiresAt: k.expiresAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export function apiKeyRoutes(container: ContainerInstance): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/api-keys',
      tags: ['API keys'],
      summary: 'Create an API key (a service account) holding these roles; the key is returned once',
      description:
        'Send the key as `Authorization: Bearer tak_…`: it acts in this workspace only, with its roles’ permissions, ' +
        'on workspace routes that require a permission. Roles must exist and you must hold everything they grant.',
      auth: 'workspace',
      permission: 'apikeys.manage',
      request: { params: inWorkspace, body: createApiKeyInput },
      response: { status: 201, description: 'The key, with its secret (shown once)', schema: createdApiKeyView },
      errors: [403, 404, 422],
      handler: async ({ body }, ctx) => {
        const created = await container.get(CreateApiKey).execute(principalOf(ctx), body);
        return { ...toView(created), key: created.key };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/api-keys',
      tags: ['API keys'],
      summary: 'The workspace’s API keys (prefix, name, roles, last use, expiry; never the secret)',
      auth: 'workspace',
      permission: 'apikeys.manage',
      request: { params: inWorkspace, query: paginationQuery },
      response: { status: 200, description: 'A page of keys', schema: apiKeyView, paginated: true },
      errors: [403, 404],
      handler: async ({ params, query }) => {
        const page = await container.get(ListApiKeys).execute(params.workspaceId, query);
        return { items: page.items.map(toView), meta: page.meta };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/workspaces/:workspaceId/api-keys/:keyId',
      tags: ['API keys'],
      summary: 'Revoke an API key: refused from the next request on, on every instance',
      auth: 'workspace',
      permission: 'apikeys.manage',
      request: { params: byKey },
      response: { status: 204, description: 'Revoked (revoking a revoked key changes nothing)' },
      errors: [403, 404],
      handler: async ({ params }, ctx) => container.get(RevokeApiKey).execute(principalOf(ctx), params.keyId),
    }),
  ];
}
