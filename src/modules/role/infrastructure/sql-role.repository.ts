import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import type { RoleRepository, RoleSummary } from '../domain/ports';
import { Role, RoleNameTakenError } from '../domain/role';

interface RoleRow {
  id: string;
  name: string;
  description: string;
  is_system: boolean;
  permissions: string[];
  member_count?: string;
}

const SELECT_ROLES = `
  SELECT r.id, r.name, r.description, r.is_system,
    COALESCE(array_agg(DISTINCT rp.permission) FILTER (WHERE rp.permission IS NOT NULL), '{}') AS permissions,
    (SELECT count(*) FROM member_roles mr WHERE mr.role_id = r.id) AS member_count
  FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id`;

const toRole = (r: RoleRow) =>
  Role.restore({
    id: r.id,
    name: r.name,
    description: r.description,
    isSystem: r.is_system,
    permissions: r.permissions,
  });

/** Roles and grants of the current tenant (tenant scope required). */
export class SqlRoleRepository implements RoleRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async list(): Promise<RoleSummary[]> {
    const rows = await this.q<RoleRow>(`${SELECT_ROLES} GROUP BY r.id ORDER BY r.is_system DESC, r.name`);
    return rows.map((r) => ({ ...toRole(r).toProps(), memberCount: Number(r.member_count ?? 0) }));
  }

  async findById(id: string): Promise<Role | null> {
    const [row] = await this.q<RoleRow>(`${SELECT_ROLES} WHERE r.id = :id GROUP BY r.id`, { id });
    return row ? toRole(row) : null;
  }

  async findByNames(names: string[]): Promise<Role[]> {
    if (names.length === 0) return [];
    const rows = await this.q<RoleRow>(`${SELECT_ROLES} WHERE r.name IN (:names) GROUP BY r.id`, { names });
    return rows.map(toRole);
  }

  async create(role: Role): Promise<void> {
    const r = role.toProps();
    try {
      await this.q('INSERT INTO roles (id, name, description, is_system) VALUES (:id, :name, :description, false)', {
        ...r,
      });
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new RoleNameTakenError();
      throw err;
    }
    await this.writePermissions(r.id, r.permissions);
  }

  async save(role: Role): Promise<void> {
    const r = role.toProps();
    try {
      await this.q('UPDATE roles SET name = :name, description = :description, updated_at = now() WHERE id = :id', {
        ...r,
      });
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new RoleNameTakenError();
      throw err;
    }
    if (r.name !== 'admin') await this.writePermissions(r.id, r.permissions);
  }

  async delete(roleId: string): Promise<void> {
    // Pending invitations with this role are withdrawn; past ones keep their row without the role.
    await this.q(
      'UPDATE invitations SET revoked_at = now() WHERE role_id = :roleId AND accepted_at IS NULL AND revoked_at IS NULL',
      { roleId },
    );
    await this.q('DELETE FROM roles WHERE id = :roleId', { roleId });
  }

  async countHolders(roleId: string): Promise<number> {
    const [row] = await this.q<{ count: string }>('SELECT count(*) FROM member_roles WHERE role_id = :roleId', {
      roleId,
    });
    return Number(row?.count ?? 0);
  }

  async moveHolders(fromRoleId: string, toRoleId: string): Promise<void> {
    await this.q(
      `INSERT INTO member_roles (user_id, role_id) SELECT user_id, :toRoleId FROM member_roles WHERE role_id = :fromRoleId
       ON CONFLICT DO NOTHING`,
      { fromRoleId, toRoleId },
    );
    await this.q('DELETE FROM member_roles WHERE role_id = :fromRoleId', { fromRoleId });
  }

  async memberRoleNames(userId: string): Promise<string[]> {
    const rows = await this.q<{ name: string }>(
      'SELECT r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.user_id = :userId ORDER BY r.name',
      { userId },
    );
    return rows.map((r) => r.name);
  }

  async isMember(userId: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM members WHERE user_id = :userId', { userId })).length > 0;
  }

  async setMemberRoles(userId: string, roleIds: string[]): Promise<void> {
    await this.q('DELETE FROM member_roles WHERE user_id = :userId', { userId });
    for (const roleId of roleIds) {
      await this.q('INSERT INTO member_roles (user_id, role_id) VALUES (:userId, :roleId)', { userId, roleId });
    }
  }

  async adminsAfter(userId: string, roleIds: string[]): Promise<number> {
    // Changes to who is admin queue on the admin role's row, so two admins demoting each other
    // at once cannot both see "another admin remains" (READ COMMITTED would let them).
    await this.q("SELECT id FROM roles WHERE name = 'admin' FOR UPDATE");
    const [row] = await this.q<{ count: string }>(
      `SELECT count(DISTINCT user_id) FROM (
         SELECT mr.user_id FROM member_roles mr JOIN roles r ON r.id = mr.role_id
         WHERE r.name = 'admin' AND mr.user_id <> :userId
         UNION ALL
         SELECT :userId FROM roles r WHERE r.name = 'admin' AND r.id IN (:roleIds)
       ) admins`,
      { userId, roleIds: roleIds.length > 0 ? roleIds : ['00000000-0000-0000-0000-000000000000'] },
    );
    return Number(row?.count ?? 0);
  }

  private async writePermissions(roleId: string, permissions: string[]): Promise<void> {
    await this.q('DELETE FROM role_permissions WHERE role_id = :roleId', { roleId });
    for (const permission of permissions) {
      await this.q('INSERT INTO role_permissions (role_id, permission) VALUES (:roleId, :permission)', {
        roleId,
        permission,
      });
    }
  }

  private q<T extends object = object>(sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
    return tenantQuery<T>(this.sequelize, sql, replacements);
  }
}
