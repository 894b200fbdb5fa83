import type { ContainerInstance } from 'typedi';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { GetCurrentUser } from '../application/get-current-user.use-case';
import { toUserView, userView } from './user.view';

export function userRoutes(container: ContainerInstance): RouteSpec[] {
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
      handler: async (_input, ctx) =>
        toUserView(await container.get(GetCurrentUser).execute({ userId: principalOf(ctx).userId })),
    }),
  ];
}
