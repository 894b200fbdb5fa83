import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { AUDIT_LOG } from '../audit/audit.public';
import { PermissionService } from './application/permission.service';
import { PERMISSION_READER } from './application/tokens';
import { SqlPermissionReader } from './infrastructure/sql-permission-reader';
import { permissionGuard } from './presentation/permission.guard';
import { roleRoutes } from './presentation/role.routes';

export const roleModule: AppModule = {
  name: 'role',
  register: (container) => {
    container.set(PERMISSION_READER, new SqlPermissionReader(container.get(TOKENS.sequelize)));
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
