import type { ContainerInstance } from 'typedi';
import { paginationQuery } from '../../../core/http/envelope';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { ListSessions, type SessionListItem } from '../application/list-sessions.use-case';
import { RevokeSession } from '../application/revoke-session.use-case';

const sessionView = z
  .object({
    id: z.uuid(),
    userAgent: z.string().nullable().openapi({ description: 'User-Agent of the sign-in request' }),
    ip: z.string().nullable().openapi({ description: 'Client IP of the sign-in request' }),
    createdAt: z.string().openapi({ format: 'date-time', description: 'Sign-in time' }),
    lastUsedAt: z
      .string()
      .openapi({ format: 'date-time', description: 'Last sign-in or refresh (access tokens do not move it)' }),
    expiresAt: z.string().openapi({ format: 'date-time', description: 'Absolute end of the session' }),
    current: z.boolean().openapi({ description: 'The session of the access token of this request' }),
  })
  .openapi('Session');

const toSessionView = (s: SessionListItem): z.input<typeof sessionView> => ({
  id: s.id,
  userAgent: s.userAgent,
  ip: s.ip,
  createdAt: s.createdAt.toISOString(),
  lastUsedAt: s.lastUsedAt.toISOString(),
  expiresAt: s.expiresAt.toISOString(),
  current: s.current,
});

/** The caller's sign-ins (#16 part 1): list them, end one. */
export function sessionRoutes(container: ContainerInstance): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/auth/sessions',
      tags: ['Auth'],
      summary: 'My live sessions (devices), most recently used first',
      auth: 'user',
      permission: null,
      request: { query: paginationQuery },
      response: { status: 200, description: 'A page of sessions', schema: sessionView, paginated: true },
      handler: async ({ query }, ctx) => {
        const page = await container.get(ListSessions).execute({ principal: principalOf(ctx), ...query });
        return { items: page.items.map(toSessionView), meta: page.meta };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/auth/sessions/:id',
      tags: ['Auth'],
      summary: 'End one of my sessions: its refresh and access tokens and its sockets stop at once',
      description: "Another user's session, or one already ended, answers 404 `SESSION_NOT_FOUND`.",
      auth: 'user',
      permission: null,
      request: { params: z.strictObject({ id: z.uuid() }) },
      response: { status: 204, description: 'Ended' },
      errors: [404],
      handler: async ({ params }, ctx) =>
        container.get(RevokeSession).execute({ principal: principalOf(ctx), sessionId: params.id }),
    }),
  ];
}
