import type { Namespace } from 'socket.io';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { PasswordReset, SessionsEnded, UserLoggedOut } from '../../auth/auth.public';
import { toNotificationView, type NotificationCreated } from '../../notification/notification.public';
import type { MemberRolesChanged, RoleChanged } from '../../role/role.public';
import type { UserDeleted, UserPasswordChanged, UserStatusChanged } from '../../user/user.public';
import type { MemberJoined, MemberRemoved, WorkspaceDeleted, WorkspaceUpdated } from '../../workspace/workspace.public';
import { payloadOf, sessionRoom, userRoom } from './socket-gateway';
import type { SocketEventName, SocketPayload } from './socket-events';

/**
 * Maps domain events to socket events, and ends sockets whose access ended. With the Redis
 * adapter every emit and disconnect reaches the sockets of every instance.
 */
export function subscribeSocketManager(
  namespaceFor: (workspaceId: string) => Namespace,
  bus: EventBus,
  workspacesOf: (userId: string) => Promise<string[]>,
): void {
  const emit = <E extends SocketEventName>(workspaceId: string, event: E, payload: SocketPayload<E>, room?: string) => {
    const target = room ? namespaceFor(workspaceId).to(room) : namespaceFor(workspaceId);
    target.emit(event, payloadOf(event, payload));
  };
  /** Disconnects a user's sockets (or one session's) in every workspace they belong to. */
  const disconnect = async (userId: string, options: { sessionIds?: string[]; exceptSession?: string } = {}) => {
    for (const workspaceId of await workspacesOf(userId)) {
      const namespace = namespaceFor(workspaceId);
      if (options.sessionIds) {
        if (options.sessionIds.length > 0) namespace.in(options.sessionIds.map(sessionRoom)).disconnectSockets(true);
      } else if (options.exceptSession) {
        namespace.in(userRoom(userId)).except(sessionRoom(options.exceptSession)).disconnectSockets(true);
      } else {
        namespace.in(userRoom(userId)).disconnectSockets(true);
      }
    }
  };

  bus.subscribe<MemberJoined>('MemberJoined', ({ payload }) =>
    emit(payload.workspaceId, 'workspace:member:joined', { workspaceId: payload.workspaceId, userId: payload.userId }),
  );
  bus.subscribe<MemberRemoved>('MemberRemoved', ({ payload }) => {
    emit(payload.workspaceId, 'workspace:member:removed', { workspaceId: payload.workspaceId, userId: payload.userId });
    namespaceFor(payload.workspaceId).in(userRoom(payload.userId)).disconnectSockets(true);
  });
  bus.subscribe<RoleChanged>('RoleChanged', ({ payload }) =>
    emit(payload.workspaceId, 'workspace:role:updated', {
      workspaceId: payload.workspaceId,
      change: payload.change,
      roleId: payload.roleId,
    }),
  );
  bus.subscribe<MemberRolesChanged>('MemberRolesChanged', ({ payload }) =>
    emit(payload.workspaceId, 'workspace:role:updated', {
      workspaceId: payload.workspaceId,
      change: 'assigned',
      userId: payload.userId,
    }),
  );
  bus.subscribe<WorkspaceUpdated>('WorkspaceUpdated', ({ payload }) =>
    emit(payload.workspaceId, 'workspace:updated', { workspaceId: payload.workspaceId }),
  );
  bus.subscribe<WorkspaceDeleted>('WorkspaceDeleted', ({ payload }) => {
    emit(payload.workspaceId, 'workspace:deleted', { workspaceId: payload.workspaceId });
    namespaceFor(payload.workspaceId).disconnectSockets(true);
  });
  bus.subscribe<NotificationCreated>('NotificationCreated', ({ payload }) =>
    emit(
      payload.workspaceId,
      'notification:new',
      toNotificationView(payload.notification),
      userRoom(payload.notification.recipientId),
    ),
  );

  // Access that ended: the sockets end with it, not at token expiry.
  bus.subscribe<UserLoggedOut>('UserLoggedOut', ({ payload }) =>
    disconnect(payload.userId, { sessionIds: payload.sessionIds }),
  );
  bus.subscribe<SessionsEnded>('SessionsEnded', ({ payload }) =>
    disconnect(payload.userId, { sessionIds: payload.sessionIds }),
  );
  bus.subscribe<PasswordReset>('PasswordReset', ({ payload }) => disconnect(payload.userId));
  bus.subscribe<UserPasswordChanged>('UserPasswordChanged', ({ payload }) =>
    disconnect(payload.userId, { exceptSession: payload.keptSessionId }),
  );
  bus.subscribe<UserStatusChanged>('UserStatusChanged', async ({ payload }) => {
    if (payload.sessionsEnded) await disconnect(payload.userId);
  });
  bus.subscribe<UserDeleted>('UserDeleted', ({ payload }) => disconnect(payload.userId));
}
