import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { AUDIT_LOG } from '../audit/audit.public';
import type { WorkspaceDeleted } from '../workspace/workspace.public';
import { ApiKeyCredentials } from './application/api-key-credentials.service';
import { API_KEY_REPOSITORY, API_KEY_TENANT_ROLES } from './application/tokens';
import { SqlApiKeyRepository } from './infrastructure/sql-api-key.repository';
import { SqlTenantRoles } from './infrastructure/sql-tenant-roles';
import { apiKeyGuards } from './presentation/api-key.guard';
import { apiKeyRoutes } from './presentation/api-key.routes';

export const apiKeyModule: AppModule = {
  name: 'apikey',
  register: (container) => {
    const sequelize = container.get(TOKENS.sequelize);
    container.set(API_KEY_REPOSITORY, new SqlApiKeyRepository(sequelize));
    container.set(API_KEY_TENANT_ROLES, new SqlTenantRoles(sequelize));
    const guards = container.get(TOKENS.guards);
    const { user, workspace } = guards.auth;
    if (!user || !workspace) throw new Error('The apikey module registers after the auth and workspace modules');
    const keys = apiKeyGuards({
      credentials: () => container.get(ApiKeyCredentials),
      transactions: () => container.get(TOKENS.transactions),
      audit: () => container.get(AUDIT_LOG),
    });
    container.set(TOKENS.guards, {
      ...guards,
      auth: { ...guards.auth, user: keys.user(user), workspace: keys.workspace(workspace) },
    });
  },
  routes: apiKeyRoutes,
  subscribe: (container) => {
    // A deleted workspace's keys stop at once, not when their cached record expires.
    container
      .get(TOKENS.eventBus)
      .subscribe<WorkspaceDeleted>('WorkspaceDeleted', 'apikeys.workspace-deleted', async ({ payload }) => {
        const prefixes = await container.get(API_KEY_REPOSITORY).prefixesOf(payload.workspaceId);
        await container.get(ApiKeyCredentials).forget(prefixes);
      });
  },
};
