import { z } from '../../../core/http/zod';
import { notificationView } from '../../notification/notification.public';

/**
 * The realtime event catalogue: every event the server emits, its payload schema (payloads are
 * parsed through it before emitting, so nothing undeclared leaves), and who receives it.
 * docs/realtime.md is generated from this list (`npm run docs:realtime`); a test keeps them equal.
 */
export const SOCKET_EVENTS = {
  'workspace:member:joined': {
    receivers: 'Everyone connected to the workspace namespace',
    payload: z.object({ workspaceId: z.uuid(), userId: z.uuid() }),
  },
  'workspace:member:removed': {
    receivers:
      'Everyone connected to the workspace namespace; then the removed member’s sockets in it are disconnected',
    payload: z.object({ workspaceId: z.uuid(), userId: z.uuid() }),
  },
  'workspace:role:updated': {
    receivers: 'Everyone connected to the workspace namespace (permissions may have changed: refetch /me/permissions)',
    payload: z.object({
      workspaceId: z.uuid(),
      change: z.enum(['created', 'updated', 'permissions', 'deleted', 'assigned']),
      roleId: z.uuid().optional(),
      userId: z.uuid().optional(),
    }),
  },
  'workspace:updated': {
    receivers: 'Everyone connected to the workspace namespace (refetch GET /workspaces/{id})',
    payload: z.object({ workspaceId: z.uuid() }),
  },
  'workspace:deleted': {
    receivers: 'Everyone connected to the workspace namespace; then every socket in it is disconnected',
    payload: z.object({ workspaceId: z.uuid() }),
  },
  'notification:new': {
    receivers: 'Only the recipient’s sockets in that workspace namespace (room user:<id>)',
    payload: notificationView,
  },
} as const;

export type SocketEventName = keyof typeof SOCKET_EVENTS;
export type SocketPayload<E extends SocketEventName> = z.input<(typeof SOCKET_EVENTS)[E]['payload']>;

/** Codes of `connect_error` (in `err.data.code`). */
export const SOCKET_ERRORS = {
  UNAUTHORIZED:
    'No valid access token in handshake.auth.token (missing, invalid, expired, revoked or the account is not active)',
  FORBIDDEN: 'Not an active member of this workspace, or the workspace does not exist',
  MFA_REQUIRED: 'The workspace requires two-factor authentication (setting requireMfa) and the account has none',
  NAMESPACE_REQUIRED: 'The default namespace serves nothing: connect to /workspaces/<workspaceId>',
} as const;
