import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { PasswordReset, SessionsEnded, UserLoggedOut } from '../../auth/auth.public';
import { notificationViewOf, type NotificationCreated } from '../../notification/notification.public';
import type { MemberRolesChanged, RoleChanged } from '../../role/role.public';
import type { UserDeleted, UserPasswordChanged, UserStatusChanged } from '../../user/user.public';
import type { MemberJoined, MemberRemoved, WorkspaceDeleted, WorkspaceUpdated } from '../../workspace/workspace.public';
import { userRoom, type Gateway } from './socket-gateway';

/**
 * Maps domain events to socket events, and ends sockets whose access ended. Each mapping is an
 * outbox subscriber: it runs after COMMIT on whichever worker takes the job, and with the Redis
 * adapter its emit or disconnect reaches the sockets of every instance. Socket events are
 * at least once: a retried job may emit its event again.
 */
export function subscribeSocketManager(gateway: Gateway, bus: EventBus): void {
  bus.subscribe<MemberJoined>('MemberJoined', 'sockets.member-joined', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:member:joined', {
      workspaceId: payload.workspaceId,
      userId: payload.userId,
    }),
  );
  bus.subscribe<MemberRemoved>('MemberRemoved', 'sockets.member-removed', ({ payload }) => {
    gateway.emit(payload.workspaceId, 'workspace:member:removed', {
      workspaceId: payload.workspaceId,
      userId: payload.userId,
    });
    gateway.disconnect({ workspaceId: payload.workspaceId, userId: payload.userId });
  });
  bus.subscribe<RoleChanged>('RoleChanged', 'sockets.role-changed', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:role:updated', {
      workspaceId: payload.workspaceId,
      change: payload.change,
      roleId: payload.roleId,
    }),
  );
  bus.subscribe<MemberRolesChanged>('MemberRolesChanged', 'sockets.member-roles-changed', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:role:updated', {
      workspaceId: payload.workspaceId,
      change: 'assigned',
      userId: payload.userId,
    }),
  );
  bus.subscribe<WorkspaceUpdated>('WorkspaceUpdated', 'sockets.workspace-updated', ({ payload }) =>
    gateway.emit(payload.workspaceId, 'workspace:updated', { workspaceId: payload.workspaceId }),
  );
  bus.subscribe<WorkspaceDeleted>('WorkspaceDeleted', 'sockets.workspace-deleted', ({ payload }) => {
    gateway.emit(payload.workspaceId, 'workspace:deleted', { workspaceId: payload.workspaceId });
    gateway.disconnect({ workspaceId: payload.workspaceId });
  });
  bus.subscribe<NotificationCreated>('NotificationCreated', 'sockets.notification-created', ({ payload }) =>
    gateway.emit(
      payload.workspaceId,
      'notification:new',
      notificationViewOf(payload.notification),
      userRoom(payload.notification.recipientId),
    ),
  );

  // Access that ended: the sockets end with it, not at token expiry.
  bus.subscribe<UserLoggedOut>('UserLoggedOut', 'sockets.user-logged-out', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId, sessionIds: payload.sessionIds }),
  );
  bus.subscribe<SessionsEnded>('SessionsEnded', 'sockets.sessions-ended', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId, sessionIds: payload.sessionIds }),
  );
  bus.subscribe<PasswordReset>('PasswordReset', 'sockets.password-reset', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId }),
  );
  bus.subscribe<UserPasswordChanged>('UserPasswordChanged', 'sockets.password-changed', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId, exceptSession: payload.keptSessionId }),
  );
  bus.subscribe<UserStatusChanged>('UserStatusChanged', 'sockets.user-status-changed', ({ payload }) => {
    if (payload.sessionsEnded) gateway.disconnect({ userId: payload.userId });
  });
  bus.subscribe<UserDeleted>('UserDeleted', 'sockets.user-deleted', ({ payload }) =>
    gateway.disconnect({ userId: payload.userId }),
  );
}
