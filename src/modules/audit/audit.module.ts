import { TOKENS } from '../../core/bootstrap/container';
import type { AppModule } from '../../core/bootstrap/module';
import { AUDIT_LOG } from './audit.public';
import { SequelizeAuditLog } from './infrastructure/sequelize-audit-log';

export const auditModule: AppModule = {
  name: 'audit',
  register: (container) => {
    container.set(AUDIT_LOG, new SequelizeAuditLog(container.get(TOKENS.sequelize)));
  },
  routes: () => [],
};
