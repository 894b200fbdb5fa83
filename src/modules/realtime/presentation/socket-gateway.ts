import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from '../../../core/logger';
import type { Principal } from '../../../core/http/principal';
import type { AuditLog } from '../../audit/audit.public';
import type { Authenticator, MfaStatus } from '../../auth/auth.public';
import type { WorkspaceAccessCache } from '../../workspace/workspace.public';
import { SOCKET_ERRORS, SOCKET_EVENTS, type SocketEventName, type SocketPayload } from './socket-events';

export const WORKSPACE_NAMESPACE = /^\/workspaces\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export const namespaceOf = (workspaceId: string) => `/workspaces/${workspaceId}`;
export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

export interface SocketData {
  userId: string;
  sessionId: string;
  workspaceId: string;
}

function refusal(code: keyof typeof SOCKET_ERRORS): Error & { data: { code: string } } {
  return Object.assign(new Error(SOCKET_ERRORS[code]), { data: { code } });
}

interface GatewayDeps {
  /** Other instances exist behind an adapter (Redis): disconnects are relayed to them. */
  distributed: boolean;
  authenticator: () => Authenticator;
  audit: () => AuditLog;
  access: () => WorkspaceAccessCache;
  mfa: () => MfaStatus;
  logger: Logger;
  now: () => number;
}

/**
 * SocketAuth and the namespaces. `/workspaces/<id>` authenticates the handshake token exactly as
 * HTTP does (signature, expiry, type, denylist, live session, active account) and requires an
 * active membership of that workspace. A socket joins `user:<id>` and `session:<id>`, and is
 * disconnected when its access token expires: the client reconnects with a fresh one.
 */
/** Whose sockets to end: a user's (optionally some sessions, or all but one), or a whole workspace's. */
export interface DisconnectTarget {
  workspaceId?: string;
  userId?: string;
  sessionIds?: string[];
  exceptSession?: string;
}

export interface Gateway {
  /** Emits a catalogued event to a workspace namespace, or to one room of it, on every instance. */
  emit<E extends SocketEventName>(workspaceId: string, event: E, payload: SocketPayload<E>, room?: string): void;
  /** Disconnects matching sockets on this instance and, through the adapter, on every other. */
  disconnect(target: DisconnectTarget): void;
}

const DISCONNECT = 'realtime:disconnect';

export function mountGateway(io: Server, deps: GatewayDeps): Gateway {
  io.of('/').use((_socket, next) => next(refusal('NAMESPACE_REQUIRED')));

  // A regex makes a parent namespace (socket.io types it as a plain Namespace).
  const workspaces = io.of(WORKSPACE_NAMESPACE) as Namespace & {
    createChild(name: string): Namespace;
    children: Set<Namespace>;
  };
  /**
   * Removes a workspace namespace nobody is in or joining any more, so refused handshakes and
   * departures cannot pile namespaces (and their Redis subscriptions) up. Unlike Socket.IO's own
   * cleanupEmptyChildNamespaces, it also waits for handshakes still being authorized, so a client
   * being let in never lands in a namespace that was just dropped.
   */
  const releaseIfIdle = (namespace: Namespace) => {
    const joining = (namespace as unknown as { _preConnectSockets: Map<string, unknown> })._preConnectSockets;
    if (namespace.sockets.size > 0 || joining.size > 0 || io._nsps.get(namespace.name) !== namespace) return;
    void namespace.adapter.close();
    io._nsps.delete(namespace.name);
    workspaces.children.delete(namespace);
  };

  workspaces.use((socket, next) => {
    void authorize(socket, deps).then(
      () => next(),
      (err: Error) => {
        next(err);
        // The refused socket leaves the namespace on the next tick.
        setImmediate(() => releaseIfIdle(socket.nsp));
      },
    );
  });
  workspaces.on('connection', (socket: Socket) => {
    const data = socket.data as SocketData & { expiresAt: number };
    void socket.join([userRoom(data.userId), sessionRoom(data.sessionId)]);
    const timer = setTimeout(() => socket.disconnect(true), Math.max(0, data.expiresAt * 1000 - deps.now()));
    timer.unref();
    socket.on('disconnect', () => {
      clearTimeout(timer);
      setImmediate(() => releaseIfIdle(socket.nsp));
    });
  });

  /** This instance's sockets only: every instance runs it for a disconnect (see DISCONNECT). */
  const disconnectLocal = (target: DisconnectTarget) => {
    // Never "everyone everywhere": a target names a workspace, a user or sessions.
    if (!target.workspaceId && !target.userId && !target.sessionIds) return;
    for (const namespace of workspaces.children) {
      if (target.workspaceId && namespace.name !== namespaceOf(target.workspaceId)) continue;
      const rooms = target.sessionIds?.map(sessionRoom) ?? (target.userId ? [userRoom(target.userId)] : []);
      if (target.sessionIds?.length === 0) continue;
      let operator = rooms.length > 0 ? namespace.local.in(rooms) : namespace.local;
      if (target.exceptSession) operator = operator.except(sessionRoom(target.exceptSession));
      operator.disconnectSockets(true);
    }
  };
  // Other instances ask through the adapter; without Redis there are none.
  io.on(DISCONNECT, (target: DisconnectTarget) => disconnectLocal(target));

  return {
    emit(workspaceId, event, payload, room) {
      // Never io.of(name): that makes a plain namespace without the middleware above, which a
      // later client could join unauthenticated. A child of the parent carries it.
      const name = namespaceOf(workspaceId);
      const existing = io._nsps.get(name);
      const namespace = existing ?? workspaces.createChild(name);
      (room ? namespace.to(room) : namespace).emit(event, payloadOf(event, payload));
      // Made only to publish (nobody here listens): released at once, so emits to many
      // workspaces leave neither namespaces nor Redis subscriptions behind.
      if (!existing) releaseIfIdle(namespace);
    },
    disconnect(target) {
      disconnectLocal(target);
      if (deps.distributed) io.serverSideEmit(DISCONNECT, target);
    },
  };
}

async function authorize(socket: Socket, deps: GatewayDeps): Promise<void> {
  const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw refusal('UNAUTHORIZED');
  let principal: Principal;
  try {
    principal = await deps.authenticator().authenticate(token);
  } catch {
    throw refusal('UNAUTHORIZED');
  }
  const workspaceId = WORKSPACE_NAMESPACE.exec(socket.nsp.name)![1]!;
  const access = await deps.access().resolve(workspaceId, principal.userId);
  if (!access) {
    await deps
      .audit()
      .record({
        action: 'realtime.connect.denied',
        actorId: principal.userId,
        targetType: 'workspace',
        targetId: workspaceId,
      })
      .catch((err: Error) => deps.logger.warn({ err }, 'could not audit a refused socket'));
    throw refusal('FORBIDDEN');
  }
  if (access.requireMfa && !(await deps.mfa().isEnabled(principal.userId))) throw refusal('MFA_REQUIRED');
  socket.data = {
    userId: principal.userId,
    sessionId: principal.sessionId,
    workspaceId,
    expiresAt: principal.expiresAt,
  } satisfies SocketData & { expiresAt: number };
}

/** Emits a catalogued event: the payload is parsed through its schema, so nothing undeclared leaves. */
export function payloadOf<E extends SocketEventName>(event: E, payload: SocketPayload<E>): unknown {
  return SOCKET_EVENTS[event].payload.parse(payload);
}
