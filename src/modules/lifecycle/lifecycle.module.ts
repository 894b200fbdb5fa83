import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { LIFECYCLE_DIRECTORY, TENANT_ARCHIVER } from './application/tokens';
import { PgTenantArchiver } from './infrastructure/pg-tenant-archiver';
import { SqlLifecycleDirectory } from './infrastructure/sql-lifecycle-directory';
import { lifecycleRoutes } from './presentation/lifecycle.routes';

/** Tenant lifecycle: export, import, clone and purge of one workspace (scripts and platform routes). */
export const lifecycleModule: AppModule = {
  name: 'lifecycle',
  register: (container) => {
    const config = container.get(TOKENS.config);
    const sequelize = container.get(TOKENS.sequelize);
    container.set(
      TENANT_ARCHIVER,
      new PgTenantArchiver(sequelize, container.get(TOKENS.logger), config.database.tenantMigrationsDir ?? undefined),
    );
    container.set(LIFECYCLE_DIRECTORY, new SqlLifecycleDirectory(sequelize));
  },
  routes: lifecycleRoutes,
};
