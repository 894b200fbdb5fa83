import { QueryTypes, type Sequelize } from 'sequelize';
import { requestContext } from '../../../core/context/request-context';
import { selectRows } from '../../../core/infrastructure/database/sql';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import { grantsOf } from '../domain/permissions';
import type { GlobalRoleStore, PermissionReader } from '../domain/ports';

function grantsByRole(rows: { name: string; permission: string | null }[]): string[] {
  const byRole = new Map<string, string[]>();
  for (const r of rows) byRole.set(r.name, [...(byRole.get(r.name) ?? []), ...(r.permission ? [r.permission] : [])]);
  return [...new Set([...byRole].flatMap(([name, stored]) => grantsOf(name, stored)))];
}

export class SqlPermissionReader implements PermissionReader {
  constructor(private readonly sequelize: Sequelize) {}

  async workspacePermissions(userId: string): Promise<string[]> {
    if (!requestContext.current().tenantSchema) return [];
    const rows = await tenantQuery<{ name: string; permission: string | null }>(
      this.sequelize,
      `SELECT r.name, rp.permission FROM member_roles mr
       JOIN roles r ON r.id = mr.role_id
       LEFT JOIN role_permissions rp ON rp.role_id = r.id
       WHERE mr.user_id = :userId`,
      { userId },
    );
    return grantsByRole(rows);
  }

  async rolePermissions(roleIds: string[]): Promise<string[]> {
    if (!requestContext.current().tenantSchema || roleIds.length === 0) return [];
    const rows = await tenantQuery<{ name: string; permission: string | null }>(
      this.sequelize,
      `SELECT r.name, rp.permission FROM roles r
       LEFT JOIN role_permissions rp ON rp.role_id = r.id
       WHERE r.id = ANY(CAST(:roleIds AS uuid[]))`,
      { roleIds: `{${roleIds.join(',')}}` },
    );
    return grantsByRole(rows);
  }

  async globalPermissions(userId: string): Promise<string[]> {
    const rows = await selectRows<{ permission: string }>(
      this.sequelize,
      `SELECT DISTINCT grp.permission FROM public.user_global_roles ugr
       JOIN public.global_role_permissions grp ON grp.role_id = ugr.role_id WHERE ugr.user_id = :userId`,
      { userId },
    );
    return rows.map((r) => r.permission);
  }
}

export class SqlGlobalRoleStore implements GlobalRoleStore {
  constructor(private readonly sequelize: Sequelize) {}

  async grant(userId: string, roleName: string): Promise<boolean> {
    const { transaction } = requestContext.current();
    const roles = await this.sequelize.query<{ id: string }>(
      'SELECT id FROM public.global_roles WHERE name = :roleName',
      {
        replacements: { roleName },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!roles[0]) throw new Error(`No global role named ${roleName}`);
    const inserted = await this.sequelize.query<{ user_id: string }>(
      `INSERT INTO public.user_global_roles (user_id, role_id) VALUES (:userId, :roleId)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      { replacements: { userId, roleId: roles[0].id }, type: QueryTypes.SELECT, transaction },
    );
    return inserted.length > 0;
  }
}
