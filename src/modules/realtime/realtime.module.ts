import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { AUDIT_LOG } from '../audit/audit.public';
import { Authenticator, MfaStatus } from '../auth/auth.public';
import { WorkspaceAccessCache } from '../workspace/workspace.public';
import { mountGateway } from './presentation/socket-gateway';
import { subscribeSocketManager } from './presentation/socket-manager';

/** Socket.IO namespaces per workspace, fed by domain events (docs/realtime.md). No HTTP routes. */
export const realtimeModule: AppModule = {
  name: 'realtime',
  routes: () => [],
  subscribe: (container) => {
    const sockets = container.get(TOKENS.sockets);
    const gateway = mountGateway(sockets.io, {
      distributed: sockets.distributed,
      authenticator: () => container.get(Authenticator),
      access: () => container.get(WorkspaceAccessCache),
      mfa: () => container.get(MfaStatus),
      audit: () => container.get(AUDIT_LOG),
      logger: container.get(TOKENS.logger),
      now: () => container.get(TOKENS.clock).now().getTime(),
    });
    subscribeSocketManager(gateway, container.get(TOKENS.eventBus));
  },
};
