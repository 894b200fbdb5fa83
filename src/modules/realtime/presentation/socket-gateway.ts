import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from '../../../core/logger';
import type { Principal } from '../../../core/http/principal';
import type { AuditLog } from '../../audit/audit.public';
import type { Authenticator } from '../../auth/auth.public';
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
  authenticator: () => Authenticator;
  audit: () => AuditLog;
  access: () => WorkspaceAccessCache;
  logger: Logger;
  now: () => number;
}

/**
 * SocketAuth and the namespaces. `/workspaces/<id>` authenticates the handshake token exactly as
 * HTTP does (signature, expiry, type, denylist, live session, active account) and requires an
 * active membership of that workspace. A socket joins `user:<id>` and `session:<id>`, and is
 * disconnected when its access token expires: the client reconnects with a fresh one.
 */
export function mountGateway(io: Server, deps: GatewayDeps): (workspaceId: string) => Namespace {
  io.of('/').use((_socket, next) => next(refusal('NAMESPACE_REQUIRED')));

  // A regex makes a parent namespace (socket.io types it as a plain Namespace).
  const workspaces = io.of(WORKSPACE_NAMESPACE) as Namespace & { createChild(name: string): Namespace };
  workspaces.use((socket, next) => {
    void authorize(socket, deps).then(
      () => next(),
      (err: Error) => next(err),
    );
  });
  workspaces.on('connection', (socket: Socket) => {
    const data = socket.data as SocketData & { expiresAt: number };
    void socket.join([userRoom(data.userId), sessionRoom(data.sessionId)]);
    const timer = setTimeout(() => socket.disconnect(true), Math.max(0, data.expiresAt * 1000 - deps.now()));
    timer.unref();
    socket.on('disconnect', () => clearTimeout(timer));
  });

  /**
   * The namespace to emit to. Never `io.of(name)`: that would create a plain namespace without
   * this middleware, which a later client could join unauthenticated. A child of the workspace
   * parent carries the middleware; children emptied by a disconnect or a refusal are removed
   * (cleanupEmptyChildNamespaces), so refused handshakes cannot pile namespaces up.
   */
  return (workspaceId) => {
    const name = namespaceOf(workspaceId);
    return io._nsps.get(name) ?? workspaces.createChild(name);
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
  if (!(await deps.access().resolve(workspaceId, principal.userId))) {
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
