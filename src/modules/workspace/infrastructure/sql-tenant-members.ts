import type { Sequelize } from 'sequelize';
import { selectRows } from '../../../core/infrastructure/database/sql';
import { tenantElsewhere, tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import { grantsOf } from '../../role/role.public';
import type { Page } from '../../../core/domain/page';
import type { MemberRecord, TenantMembers } from '../domain/ports';

/**
 * Tenant tables, unqualified: they resolve through the request's tenant search_path. Outside a
 * tenant scope the query is refused rather than resolved against whatever schema is current.
 */
export class SqlTenantMembers implements TenantMembers {
  constructor(private readonly sequelize: Sequelize) {}

  async add(userId: string, roleName: string): Promise<void> {
    await this.query('INSERT INTO members (user_id) VALUES (:userId) ON CONFLICT (user_id) DO NOTHING', { userId });
    await this.query(
      `INSERT INTO member_roles (user_id, role_id) SELECT :userId, id FROM roles WHERE name = :roleName
       ON CONFLICT DO NOTHING`,
      { userId, roleName },
    );
  }

  async list({ page, limit }: { page: number; limit: number }): Promise<Page<MemberRecord>> {
    // On another database than the directory, the people are read apart (ADR 0012).
    const people = tenantElsewhere(this.sequelize) ? await this.livePeople() : null;
    const rows = await this.query<{
      user_id: string;
      email: string;
      name: string;
      joined_at: Date;
      roles: string[];
      total: string;
    }>(
      people
        ? `SELECT m.user_id, m.joined_at, count(*) OVER () AS total,
             COALESCE(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
           FROM members m
           LEFT JOIN member_roles mr ON mr.user_id = m.user_id
           LEFT JOIN roles r ON r.id = mr.role_id
           WHERE m.user_id = ANY(CAST(:live AS uuid[]))
           GROUP BY m.user_id, m.joined_at
           ORDER BY m.joined_at, m.user_id LIMIT :limit OFFSET :offset`
        : `SELECT m.user_id, u.email, u.name, m.joined_at, count(*) OVER () AS total,
             COALESCE(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
           FROM members m
           JOIN public.users u ON u.id = m.user_id AND u.deleted_at IS NULL
           LEFT JOIN member_roles mr ON mr.user_id = m.user_id
           LEFT JOIN roles r ON r.id = mr.role_id
           GROUP BY m.user_id, u.email, u.name, m.joined_at
           ORDER BY m.joined_at, m.user_id LIMIT :limit OFFSET :offset`,
      { limit, offset: (page - 1) * limit, live: people ? `{${[...people.keys()].join(',')}}` : null },
    );
    return {
      items: rows.map((r) => ({
        userId: r.user_id,
        email: people?.get(r.user_id)?.email ?? r.email,
        name: people?.get(r.user_id)?.name ?? r.name,
        roles: r.roles,
        joinedAt: r.joined_at,
      })),
      meta: { page, limit, total: rows[0] ? Number(rows[0].total) : 0 },
    };
  }

  /** The members' accounts that are not deleted, read from the directory's database. */
  private async livePeople(): Promise<Map<string, { email: string; name: string }>> {
    const ids = (await this.query<{ user_id: string }>('SELECT user_id FROM members', {})).map((r) => r.user_id);
    const users = await selectRows<{ id: string; email: string; name: string }>(
      this.sequelize,
      'SELECT id, email, name FROM public.users WHERE id = ANY(CAST(:ids AS uuid[])) AND deleted_at IS NULL',
      { ids: `{${ids.join(',')}}` },
    );
    return new Map(users.map((u) => [u.id, { email: u.email, name: u.name }]));
  }

  async rolesOf(userId: string): Promise<string[]> {
    const rows = await this.query<{ name: string }>(
      'SELECT r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.user_id = :userId ORDER BY r.name',
      { userId },
    );
    return rows.map((r) => r.name);
  }

  async isMember(userId: string): Promise<boolean> {
    return (await this.query('SELECT 1 FROM members WHERE user_id = :userId', { userId })).length > 0;
  }

  async remove(userId: string): Promise<void> {
    await this.query('DELETE FROM members WHERE user_id = :userId', { userId });
  }

  async countAdmins(): Promise<number> {
    // Queue on the admin role's row: two admins leaving at once cannot both pass the last-admin check.
    await this.query("SELECT id FROM roles WHERE name = 'admin' FOR UPDATE", {});
    const [row] = await this.query<{ count: string }>(
      "SELECT count(*) FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE r.name = 'admin'",
      {},
    );
    return Number(row?.count ?? 0);
  }

  async roleExists(name: string): Promise<boolean> {
    return (await this.query('SELECT 1 FROM roles WHERE name = :name', { name })).length > 0;
  }

  async rolePermissions(name: string): Promise<string[]> {
    const rows = await this.query<{ permission: string }>(
      'SELECT rp.permission FROM role_permissions rp JOIN roles r ON r.id = rp.role_id WHERE r.name = :name',
      { name },
    );
    return grantsOf(
      name,
      rows.map((r) => r.permission),
    );
  }

  private query<T extends object = object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return tenantQuery<T>(this.sequelize, sql, replacements);
  }
}
