import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { PasswordReset, SessionsEnded, UserLoggedOut } from '../../auth/auth.public';
import { toNotificationView, type NotificationCreated } from '../../notification/notification.public';
import type { MemberRolesChanged, RoleChanged } from '../../role/role.public';
import type { UserDeleted, UserPasswordChanged, UserStatusChanged } from '../../user/user.public';
import type { MemberJoined, MemberRemoved, WorkspaceDeleted, WorkspaceUpdated } from '../../workspace/workspace.public';
import { userRoom, type Gateway } from './socket-gateway';

/**
 * Maps domain events to socket events, and ends sockets whose access ended. With the Redis
 * adapter every emit and disconnect reaches the sockets of every instance.
 */
export function subscribeSocketManager(gateway: Gateway, bus: EventBus): void {
  bus.subscribe<MemberJoined>('MemberJoined', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:member:joined', {
      workspaceId: payload.workspaceId,
      userId: payload.userId,
    }),
  );
  bus.subscribe<MemberRemoved>('MemberRemoved', ({ payload }) => {
    gateway.emit(payload.workspaceId, 'workspace:member:removed', {
      workspaceId: payload.workspaceId,
      userId: payload.userId,
    });
    gateway.disconnect({ workspaceId: payload.workspaceId, userId: payload.userId });
  });
  bus.subscribe<RoleChanged>('RoleChanged', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:role:updated', {
      workspaceId: payload.workspaceId,
      change: payload.change,
      roleId: payload.roleId,
    }),
  );
  bus.subscribe<MemberRolesChanged>('MemberRolesChanged', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:role:updated', {
      workspaceId: payload.workspaceId,
      change: 'assigned',
      userId: payload.userId,
    }),
  );
  bus.subscribe<WorkspaceUpdated>('WorkspaceUpdated', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:updated', { workspaceId: payload.workspaceId }),
  );
  bus.subscribe<WorkspaceDeleted>('WorkspaceDeleted', ({ payload }) => {
    gateway.emit(payload.workspaceId, 'workspace:deleted', { workspaceId: payload.workspaceId });
    gateway.disconnect({ workspaceId: payload.workspaceId });
  });
  bus.subscribe<NotificationCreated>('NotificationCreated', ({ payload }) =>
    gateway.emit(
      payload.workspaceId,
      'notification:new',
      toNotificationView(payload.notification),
      userRoom(payload.notification.recipientId),
    ),
  );

  // Access that ended: the sockets end with it, not at token expiry.
  bus.subscribe<UserLoggedOut>('UserLoggedOut', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId, sessionIds: payload.sessionIds }),
  );
  bus.subscribe<SessionsEnded>('SessionsEnded', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId, sessionIds: payload.sessionIds }),
  );
  bus.subscribe<PasswordReset>('PasswordReset', ({ payload }) => gateway.disconnect({ userId: payload.userId }));
  bus.subscribe<UserPasswordChanged>('UserPasswordChanged', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId, exceptSession: payload.keptSessionId }),
  );
  bus.subscribe<UserStatusChanged>('UserStatusChanged', ({ payload }) => {
    if (payload.sessionsEnded) gateway.disconnect({ userId: payload.userId });
  });
  bus.subscribe<UserDeleted>('UserDeleted', ({ payload }) => gateway.disconnect({ userId: payload.userId }));
}
