import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { isReadOnly } from '../../core/http/route';
import { DEFAULT_WORKSPACE, MfaStatus } from '../auth/auth.public';
import {
  TENANT_INVITATIONS,
  TENANT_MEMBERS,
  TENANT_PROVISIONER,
  TENANT_SCHEMA_ADMIN,
  WORKSPACE_DIRECTORY,
  WORKSPACE_SETTINGS,
} from './application/tokens';
import { ReconcileTenants } from './application/reconcile-tenants.service';
import { WorkspaceAccessCache } from './application/workspace-access.service';
import { SqlTenantInvitations } from './infrastructure/sql-tenant-invitations';
import { SqlTenantMembers } from './infrastructure/sql-tenant-members';
import { SqlTenantSchemas } from './infrastructure/sql-tenant-schemas';
import { SqlWorkspaceDirectory } from './infrastructure/sql-workspace-directory';
import { workspaceGuard } from './presentation/workspace.guard';
import { workspaceRoutes } from './presentation/workspace.routes';

export const workspaceModule: AppModule = {
  name: 'workspace',
  register: (container) => {
    const config = container.get(TOKENS.config);
    const sequelize = container.get(TOKENS.sequelize);
    const directory = new SqlWorkspaceDirectory(
      sequelize,
      config.database.placement ?? container.get(TOKENS.shards).names(),
    );
    container.set(WORKSPACE_SETTINGS, {
      maxOwnedPerUser: config.workspaces.maxOwnedPerUser,
      invitationTtlSeconds: 7 * 86_400,
      frontendUrl: config.frontendUrl,
    });
    container.set(WORKSPACE_DIRECTORY, directory);
    container.set(TENANT_MEMBERS, new SqlTenantMembers(sequelize));
    container.set(TENANT_INVITATIONS, new SqlTenantInvitations(sequelize));
    const schemas = new SqlTenantSchemas(
      container.get(TOKENS.shards),
      container.get(TOKENS.logger),
      config.database.tenantMigrationsDir ?? undefined,
    );
    container.set(TENANT_PROVISIONER, schemas);
    container.set(TENANT_SCHEMA_ADMIN, schemas);
    // A login starts in the last workspace the user switched to, while they still belong to it.
    container.set(DEFAULT_WORKSPACE, {
      for: async (userId: string) => {
        const last = await directory.findLastWorkspace(userId);
        return last && (await container.get(WorkspaceAccessCache).resolve(last, userId)) ? last : undefined;
      },
    });
    const guards = container.get(TOKENS.guards);
    const user = guards.auth.user ?? (() => []);
    const tenant = workspaceGuard(
      () => container.get(WorkspaceAccessCache),
      () => container.get(TOKENS.transactions),
      () => container.get(MfaStatus),
    );
    const scoped = { readOnly: tenant(true), readWrite: tenant(false) };
    container.set(TOKENS.guards, {
      ...guards,
      auth: {
        ...guards.auth,
        workspace: (route) => [...user(route), isReadOnly(route) ? scoped.readOnly : scoped.readWrite],
      },
    });
  },
  routes: workspaceRoutes,
  onStart: async (container) => {
    await container.get(ReconcileTenants).execute();
  },
};
