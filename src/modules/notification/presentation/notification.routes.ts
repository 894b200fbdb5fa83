import type { ContainerInstance } from 'typedi';
import { paginationQuery } from '../../../core/http/envelope';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { Notifications } from '../application/notifications.service';
import { NOTIFICATION_TYPES, type Notification, type NotificationSnapshot } from '../domain/notification';

export const notificationView = z
  .object({
    id: z.uuid(),
    type: z.enum(NOTIFICATION_TYPES),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Notification');

export function toNotificationView(n: Notification): z.infer<typeof notificationView> {
  return {
    id: n.id,
    type: n.type,
    title: n.title,
    body: n.body,
    data: n.data,
    readAt: n.readAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}

/** The view of a notification carried by NotificationCreated (new, so unread). */
export function notificationViewOf(n: NotificationSnapshot): z.infer<typeof notificationView> {
  return { id: n.id, type: n.type, title: n.title, body: n.body, data: n.data, readAt: null, createdAt: n.createdAt };
}

const listQuery = paginationQuery.extend({
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ description: 'true: only unread ones' }),
});

export function notificationRoutes(container: ContainerInstance): RouteSpec[] {
  const notifications = () => container.get(Notifications);
  return [
    defineRoute({
      method: 'get',
      path: '/notifications',
      tags: ['Notifications'],
      summary: 'My notifications in the active workspace, newest first',
      auth: 'workspace',
      permission: 'notifications.read',
      request: { query: listQuery },
      response: { status: 200, description: 'A page of notifications', schema: notificationView, paginated: true },
      errors: [403],
      handler: async ({ query }, ctx) => {
        const page = await notifications().list(principalOf(ctx).userId, query);
        return { items: page.items.map(toNotificationView), meta: page.meta };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/notifications/read-all',
      tags: ['Notifications'],
      summary: 'Mark all my notifications in the active workspace read',
      auth: 'workspace',
      permission: 'notifications.read',
      response: {
        status: 200,
        description: 'How many were unread',
        schema: z.object({ updated: z.number().int() }),
      },
      errors: [403],
      handler: async (_input, ctx) => ({ updated: await notifications().markAllRead(principalOf(ctx).userId) }),
    }),
    defineRoute({
      method: 'post',
      path: '/notifications/:id/read',
      tags: ['Notifications'],
      summary: 'Mark one of my notifications read',
      auth: 'workspace',
      permission: 'notifications.read',
      request: { params: z.strictObject({ id: z.uuid() }) },
      response: { status: 200, description: 'The notification', schema: notificationView },
      errors: [403, 404],
      handler: async ({ params }, ctx) =>
        toNotificationView(await notifications().markRead(principalOf(ctx).userId, params.id)),
    }),
  ];
}
