import { TOKENS } from '../../core/bootstrap/container';
import type { AppModule } from '../../core/bootstrap/module';
import { AUDIT_TRAIL } from './application/audit-trails.service';
import { AUDIT_LOG } from './audit.public';
import { PgAuditTrail } from './infrastructure/pg-audit-trail';
import { SequelizeAuditLog } from './infrastructure/sequelize-audit-log';
import { auditRoutes } from './presentation/audit.routes';

export const auditModule: AppModule = {
  name: 'audit',
  register: (container) => {
    const sequelize = container.get(TOKENS.sequelize);
    container.set(AUDIT_LOG, new SequelizeAuditLog(sequelize));
    container.set(AUDIT_TRAIL, new PgAuditTrail(container.get(TOKENS.shards)));
  },
  routes: auditRoutes,
};
