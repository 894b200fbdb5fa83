import type { Sequelize } from 'sequelize';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import type { TenantRoleCheck } from '../application/tokens';

export class SqlTenantRoleCheck implements TenantRoleCheck {
  constructor(private readonly sequelize: Sequelize) {}

  async exists(name: string): Promise<boolean> {
    const rows = await tenantQuery(this.sequelize, 'SELECT 1 FROM roles WHERE name = :name', { name });
    return rows.length > 0;
  }
}
