import type { Sequelize } from 'sequelize';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import type { TenantRole, TenantRoles } from '../domain/ports';

export class SqlTenantRoles implements TenantRoles {
  constructor(private readonly sequelize: Sequelize) {}

  findByNames(names: string[]): Promise<TenantRole[]> {
    if (names.length === 0) return Promise.resolve([]);
    return tenantQuery<TenantRole>(this.sequelize, 'SELECT id, name FROM roles WHERE name IN (:names)', { names });
  }

  findByIds(ids: string[]): Promise<TenantRole[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return tenantQuery<TenantRole>(
      this.sequelize,
      'SELECT id, name FROM roles WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY name',
      { ids: `{${ids.join(',')}}` },
    );
  }
}
