import type { Middleware } from 'koa';
import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { paginationQuery } from '../../../core/http/envelope';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteScope, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { rateLimit } from '../../../core/middleware/rate-limit';
import { Avatars } from '../application/avatars.use-case';
import { ManageAccounts } from '../application/manage-accounts.use-case';
import { UpdateMyProfile } from '../application/update-profile.use-case';
import { UserDirectory } from '../application/user-directory.use-case';
import { NAME_MAX } from '../domain/user-profile';
import { SETTABLE_STATUSES, USER_STATUSES } from '../domain/user-status';
import { USER_SORTS, type UserScope } from '../domain/user.repository';
import { toUserSummaryView, toUserView, userSummaryView, userView } from './user.view';

const PLATFORM_SCOPE: Record<string, RouteScope> = {
  platform: {
    auth: 'user',
    permission: 'platform.users.manage',
    description: 'every account on the platform, for holders of `platform.users.manage` (no active workspace needed).',
  },
};

const scopeParam = z
  .enum(['workspace', 'platform'])
  .default('workspace')
  .openapi({ description: 'workspace (default): members of your active workspace; platform: every account' });

const listQuery = paginationQuery.extend({
  sort: z.enum(USER_SORTS).default('created_at'),
  order: z.enum(['asc', 'desc']).default('asc'),
  status: z.enum(USER_STATUSES).optional(),
  scope: scopeParam,
});

const searchQuery = paginationQuery.extend({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .openapi({ description: 'Matched case-insensitively, literally, within names and emails' }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  scope: scopeParam,
});

const byId = z.strictObject({ id: z.uuid() });
const scopeOnly = z.strictObject({ scope: scopeParam });

const password = z.string().min(1).max(1024);

export const updateProfileInput = z
  .strictObject({
    name: z.string().trim().min(1).max(NAME_MAX).optional(),
    avatarUrl: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .nullable()
      .optional()
      .openapi({ description: 'An https URL, or null to remove the avatar (upload one with POST /users/me/avatar)' }),
    locale: z.string().max(35).nullable().optional().openapi({ example: 'en-GB' }),
    timezone: z.string().max(64).nullable().optional().openapi({ example: 'Europe/London' }),
    email: z.string().max(254).optional().openapi({ description: 'Applied once the link mailed to it is followed' }),
    currentPassword: password.optional().openapi({ description: 'Required to change the email or the password' }),
    newPassword: password.optional(),
  })
  .refine((body) => Object.keys(body).some((k) => k !== 'currentPassword'), {
    message: 'Send at least one field to change',
  })
  .openapi('UpdateProfileInput');

const statusInput = z.strictObject({ status: z.enum(SETTABLE_STATUSES) }).openapi('UserStatusInput');
const deleteSelfInput = z.strictObject({ password }).openapi('DeleteAccountInput');
const avatarKey = z.strictObject({ key: z.string().max(200) });

const listed = z.union([userView, userSummaryView]);

export function userRoutes(container: ContainerInstance): RouteSpec[] {
  const directory = () => container.get(UserDirectory);
  const accounts = () => container.get(ManageAccounts);
  const avatars = () => container.get(Avatars);
  const config = container.get(TOKENS.config);
  const view = (scope: UserScope) => (scope === 'platform' ? toUserView : toUserSummaryView);

  // Re-authentication (current password) is bcrypt-bound and a guessing target: the auth limit, per user.
  const limiter = rateLimit(container.get(TOKENS.redis), {
    namespace: 'rl:reauth',
    windowMs: config.auth.rateLimit.windowMs,
    max: config.auth.rateLimit.max,
    id: (ctx) => principalOf(ctx).userId,
  });
  const reauthLimit: Middleware = async (ctx, next) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    if (body && ('currentPassword' in body || 'password' in body)) await limiter(ctx, next);
    else await next();
  };

  return [
    defineRoute({
      method: 'get',
      path: '/users/me',
      tags: ['Users'],
      summary: 'The signed-in user',
      auth: 'user',
      permission: null,
      response: { status: 200, description: 'The current user', schema: userView },
      errors: [404],
      handler: async (_input, ctx) => toUserView(await directory().me(principalOf(ctx).userId)),
    }),
    defineRoute({
      method: 'put',
      path: '/users/me',
      tags: ['Users'],
      summary: 'Change my profile, email or password',
      description:
        'Name, avatar URL, locale and time zone apply at once. A new email is mailed a confirmation link ' +
        '(POST /auth/confirm-email applies it). A new password ends every other session. Both need `currentPassword`. ' +
        'Status, roles, verification and credentials other than these cannot be set here.',
      auth: 'user',
      permission: null,
      middleware: [reauthLimit],
      request: { body: updateProfileInput },
      response: {
        status: 200,
        description: 'The updated user, and the address awaiting confirmation if any',
        schema: userView.extend({ pendingEmail: z.string().nullable() }),
      },
      errors: [404, 409, 422],
      handler: async ({ body }, ctx) => {
        const principal = principalOf(ctx);
        const { user, pendingEmail } = await container
          .get(UpdateMyProfile)
          .execute({ ...body, userId: principal.userId, sessionId: principal.sessionId });
        return { ...toUserView(user), pendingEmail };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/users/me',
      tags: ['Users'],
      summary: 'Delete my account (password required)',
      description: 'Soft delete: the account disappears from every list, cannot sign in, and every session ends.',
      auth: 'user',
      permission: null,
      middleware: [reauthLimit],
      request: { body: deleteSelfInput },
      response: { status: 204, description: 'Deleted' },
      errors: [404, 422],
      handler: async ({ body }, ctx) =>
        accounts().deleteSelf({ userId: principalOf(ctx).userId, password: body.password }),
    }),
    defineRoute({
      method: 'post',
      path: '/users/me/avatar',
      tags: ['Users'],
      summary: 'Upload my avatar',
      auth: 'user',
      permission: null,
      request: {
        upload: {
          field: 'file',
          maxBytes: config.uploads.avatarMaxBytes,
          description: `A PNG, JPEG or WebP image (recognised by content) of at most ${config.uploads.avatarMaxBytes} bytes, in the field "file"`,
        },
      },
      response: { status: 200, description: 'The user with the new avatarUrl', schema: userView },
      errors: [404, 413],
      handler: async ({ file }, ctx) => toUserView(await avatars().upload(principalOf(ctx).userId, file!.bytes)),
    }),
    defineRoute({
      method: 'delete',
      path: '/users/me/avatar',
      tags: ['Users'],
      summary: 'Remove my avatar',
      auth: 'user',
      permission: null,
      response: { status: 200, description: 'The user without an avatar', schema: userView },
      errors: [404],
      handler: async (_input, ctx) => toUserView(await avatars().remove(principalOf(ctx).userId)),
    }),
    defineRoute({
      method: 'get',
      path: '/avatars/:key',
      tags: ['Users'],
      summary: 'An uploaded avatar image',
      auth: 'public',
      request: { params: avatarKey },
      response: { status: 200, description: 'The image', raw: { contentType: 'image/*' } },
      errors: [404],
      handler: async ({ params }, ctx) => {
        const file = await avatars().read(params.key);
        ctx.type = file.contentType;
        // Keys are never reused: a new avatar gets a new key, so the image can be cached for good.
        ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
        ctx.set('Content-Security-Policy', "default-src 'none'");
        return file.bytes;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/users',
      tags: ['Users'],
      summary: 'List the users of my active workspace',
      auth: 'workspace',
      permission: 'users.read',
      scopes: PLATFORM_SCOPE,
      request: { query: listQuery },
      response: { status: 200, description: 'A page of users', schema: listed, paginated: true },
      errors: [403],
      handler: async ({ query }) => {
        const { scope, ...rest } = query;
        const page = await directory().list(scope, rest);
        return { items: page.items.map(view(scope)), meta: page.meta };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/users/search',
      tags: ['Users'],
      summary: 'Search the users of my active workspace by name or email',
      auth: 'workspace',
      permission: 'users.read',
      scopes: PLATFORM_SCOPE,
      request: { query: searchQuery },
      response: { status: 200, description: 'Matching users, by name', schema: listed, paginated: true },
      errors: [403],
      handler: async ({ query }) => {
        const { scope, q, page, limit } = query;
        const found = await directory().list(scope, { page, limit, search: q, sort: 'name', order: 'asc' });
        return { items: found.items.map(view(scope)), meta: found.meta };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/users/:id',
      tags: ['Users'],
      summary: 'A user of my active workspace',
      auth: 'workspace',
      permission: 'users.read',
      scopes: PLATFORM_SCOPE,
      request: { params: byId, query: scopeOnly },
      response: { status: 200, description: 'The user', schema: listed },
      errors: [403, 404],
      handler: async ({ params, query }) => view(query.scope)(await directory().get(query.scope, params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/users/:id/status',
      tags: ['Users'],
      summary: "Set a user's status (active, inactive, banned)",
      description:
        'Inactive and banned accounts cannot sign in, and every session and access token they hold stops working at once. ' +
        'Nobody changes their own status.',
      auth: 'user',
      permission: 'platform.users.manage',
      request: { params: byId, body: statusInput },
      response: { status: 200, description: 'The user', schema: userView },
      errors: [403, 404, 422],
      handler: async ({ params, body }, ctx) =>
        toUserView(
          await accounts().changeStatus({ actorId: principalOf(ctx).userId, userId: params.id, status: body.status }),
        ),
    }),
    defineRoute({
      method: 'delete',
      path: '/users/:id',
      tags: ['Users'],
      summary: "Delete someone's account",
      description: 'Soft delete by a platform admin; to delete your own account use DELETE /users/me.',
      auth: 'user',
      permission: 'platform.users.manage',
      request: { params: byId },
      response: { status: 204, description: 'Deleted' },
      errors: [403, 404, 422],
      handler: async ({ params }, ctx) =>
        accounts().deleteOther({ actorId: principalOf(ctx).userId, userId: params.id }),
    }),
  ];
}
