import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { AUDIT_LOG } from '../audit/audit.public';
import { PermissionService } from './application/permission.service';
import { GLOBAL_ROLE_STORE, PERMISSION_READER, ROLE_REPOSITORY, TENANT_AUDIT_READER } from './application/tokens';
import { SqlGlobalRoleStore, SqlPermissionReader } from './infrastructure/sql-permission-reader';
import { SqlRoleRepository } from './infrastructure/sql-role.repository';
import { SqlTenantAuditReader } from './infrastructure/sql-tenant-audit-reader';
import { permissionGuard } from './presentation/permission.guard';
import { roleRoutes } from './presentation/role.routes';

export const roleModule: AppModule = {
  name: 'role',
  register: (container) => {
    const sequelize = container.get(TOKENS.sequelize);
    container.set(PERMISSION_READER, new SqlPermissionReader(sequelize));
    container.set(GLOBAL_ROLE_STORE, new SqlGlobalRoleStore(sequelize));
    container.set(ROLE_REPOSITORY, new SqlRoleRepository(sequelize));
    container.set(TENANT_AUDIT_READER, new SqlTenantAuditReader(sequelize));
    container.set(TOKENS.guards, {
      ...container.get(TOKENS.guards),
      permission: permissionGuard(
        () => container.get(PermissionService),
        () => container.get(AUDIT_LOG),
      ),
    });
  },
  routes: roleRoutes,
};
