import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { LIFECYCLE_DIRECTORY, TENANT_ARCHIVER, TENANT_MOVER } from './application/tokens';
import { PgTenantArchiver } from './infrastructure/pg-tenant-archiver';
import { PgTenantMover } from './infrastructure/pg-tenant-mover';
import { SqlLifecycleDirectory } from './infrastructure/sql-lifecycle-directory';
import { lifecycleRoutes } from './presentation/lifecycle.routes';

/** Tenant lifecycle: export, import, clone, move and purge of one workspace (scripts and platform routes). */
export const lifecycleModule: AppModule = {
  name: 'lifecycle',
  register: (container) => {
    const config = container.get(TOKENS.config);
    container.set(
      TENANT_ARCHIVER,
      new PgTenantArchiver(
        container.get(TOKENS.shards),
        container.get(TOKENS.logger),
        config.database.tenantMigrationsDir ?? undefined,
      ),
    );
    container.set(LIFECYCLE_DIRECTORY, new SqlLifecycleDirectory(container.get(TOKENS.shards)));
    container.set(
      TENANT_MOVER,
      new PgTenantMover(
        container.get(TOKENS.shards),
        container.get(TOKENS.logger),
        config.database.tenantMigrationsDir ?? undefined,
      ),
    );
  },
  routes: lifecycleRoutes,
};
