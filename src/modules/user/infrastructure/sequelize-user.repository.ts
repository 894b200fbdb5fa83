import { UniqueConstraintError, type Sequelize } from 'sequelize';
import type { Page } from '../../../core/domain/page';
import { selectRows } from '../../../core/infrastructure/database/sql';
import { tenantElsewhere, tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import { Email } from '../domain/email';
import { ConcurrentUpdateError, EmailTakenError } from '../domain/errors';
import { User } from '../domain/user';
import { UserProfile } from '../domain/user-profile';
import type { UserStatus } from '../domain/user-status';
import type { UserListQuery, UserRepository, UserScope, UserSort } from '../domain/user.repository';

interface UserRow {
  id: string;
  email: string;
  name: string;
  avatar_url: string | null;
  locale: string | null;
  timezone: string | null;
  password_hash: string;
  status: UserStatus;
  email_verified_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const FIELDS = [
  'id',
  'email',
  'name',
  'avatar_url',
  'locale',
  'timezone',
  'password_hash',
  'status',
  'email_verified_at',
  'last_login_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;
const COLUMNS = FIELDS.join(', ');
const QUALIFIED = FIELDS.map((f) => `u.${f}`).join(', ');

const MEMBERS_JOIN = 'FROM members m JOIN public.users u ON u.id = m.user_id';
const MEMBER_IDS_JOIN = 'FROM unnest(CAST(:memberIds AS uuid[])) AS m(user_id) JOIN public.users u ON u.id = m.user_id';

/** Whitelisted ORDER BY expressions; the id breaks ties so pages never overlap. */
const ORDER_BY: Record<UserSort, string> = {
  name: 'lower(u.name)',
  email: 'u.email',
  created_at: 'u.created_at',
};

function toDomain(row: UserRow): User {
  return User.restore({
    id: row.id,
    email: Email.create(row.email),
    // Stored profiles were valid when written; restore them as they are.
    profile: UserProfile.create({
      name: row.name,
      avatarUrl: row.avatar_url,
      locale: row.locale,
      timezone: row.timezone,
    }),
    passwordHash: row.password_hash,
    status: row.status,
    emailVerifiedAt: row.email_verified_at,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  });
}

function toRow(user: User): Record<string, unknown> {
  const p = user.toProps();
  return {
    id: p.id,
    email: p.email.value,
    name: p.profile.name,
    avatarUrl: p.profile.avatarUrl,
    locale: p.profile.locale,
    timezone: p.profile.timezone,
    passwordHash: p.passwordHash,
    status: p.status,
    emailVerifiedAt: p.emailVerifiedAt,
    lastLoginAt: p.lastLoginAt,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    deletedAt: p.deletedAt,
  };
}

/** `%`, `_` and the escape character itself match literally. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Plain SQL through Sequelize. The workspace scope joins the tenant's `members` table through the
 * request's search_path (the tenant schema, then public), so it only ever sees the current tenant.
 */
export class SequelizeUserRepository implements UserRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async findById(id: string): Promise<User | null> {
    return this.findOne('id = :value', id);
  }

  async findByIdForUpdate(id: string): Promise<User | null> {
    return this.findOne('id = :value', id, 'FOR UPDATE');
  }

  async findByEmail(email: Email): Promise<User | null> {
    return this.findOne('email = :value', email.value);
  }

  async create(user: User): Promise<void> {
    await this.write(
      `INSERT INTO public.users (${COLUMNS})
       VALUES (:id, :email, :name, :avatarUrl, :locale, :timezone, :passwordHash, :status, :emailVerifiedAt,
               :lastLoginAt, :createdAt, :updatedAt, :deletedAt)`,
      user,
    );
  }

  async save(user: User): Promise<void> {
    // Optimistic: only if nobody wrote the row since it was read (timestamps are kept to the millisecond).
    const updated = await this.write(
      `UPDATE public.users SET email = :email, name = :name, avatar_url = :avatarUrl, locale = :locale,
         timezone = :timezone, password_hash = :passwordHash, status = :status, email_verified_at = :emailVerifiedAt,
         last_login_at = :lastLoginAt, updated_at = :updatedAt, deleted_at = :deletedAt
       WHERE id = :id AND date_trunc('milliseconds', updated_at) = :version
       RETURNING id`,
      user,
    );
    if (updated === 0) throw new ConcurrentUpdateError();
  }

  async recordLogin(userId: string, at: Date): Promise<void> {
    await this.sequelize.query('UPDATE public.users SET last_login_at = :at WHERE id = :userId', {
      replacements: { userId, at },
      transaction: UnitOfWork.current(),
    });
  }

  async list(scope: UserScope, query: UserListQuery): Promise<Page<User>> {
    const conditions = ['u.deleted_at IS NULL'];
    const replacements: Record<string, unknown> = {
      limit: query.limit,
      offset: (query.page - 1) * query.limit,
    };
    if (query.status) {
      conditions.push('u.status = :status');
      replacements.status = query.status;
    }
    if (query.search) {
      conditions.push(`(u.name ILIKE :pattern ESCAPE '\\' OR u.email::text ILIKE :pattern ESCAPE '\\')`);
      replacements.pattern = likePattern(query.search);
    }
    const from = `${this.source(scope)} WHERE ${conditions.join(' AND ')}`;
    const direction = query.order === 'desc' ? 'DESC' : 'ASC';
    const rows = await this.select<UserRow & { total: string }>(
      scope,
      `SELECT ${QUALIFIED}, count(*) OVER () AS total ${from}
       ORDER BY ${ORDER_BY[query.sort]} ${direction}, u.id ${direction}
       LIMIT :limit OFFSET :offset`,
      replacements,
    );
    // Past the last page, the window count is gone with the rows: count separately.
    const total = Number(
      rows[0]?.total ??
        (await this.select<{ total: string }>(scope, `SELECT count(*) AS total ${from}`, replacements))[0]!.total,
    );
    return { items: rows.map(toDomain), meta: { page: query.page, limit: query.limit, total } };
  }

  async findInScope(scope: UserScope, id: string): Promise<User | null> {
    const rows = await this.select<UserRow>(
      scope,
      `SELECT ${QUALIFIED} ${this.source(scope)} WHERE u.id = :id AND u.deleted_at IS NULL`,
      { id },
    );
    return rows[0] ? toDomain(rows[0]) : null;
  }

  private source(scope: UserScope): string {
    return scope === 'platform' ? 'FROM public.users u' : MEMBERS_JOIN;
  }

  /**
   * The workspace scope reads tenant tables, so it runs only inside a tenant scope. A tenant on
   * another database than the directory (ADR 0012) lends its member ids instead of its table.
   */
  private async select<T extends object>(
    scope: UserScope,
    sql: string,
    replacements: Record<string, unknown>,
  ): Promise<T[]> {
    if (scope === 'workspace' && !tenantElsewhere(this.sequelize))
      return tenantQuery<T>(this.sequelize, sql, replacements);
    if (scope === 'platform') return selectRows<T>(this.sequelize, sql, replacements);
    const members = await tenantQuery<{ user_id: string }>(this.sequelize, 'SELECT user_id FROM members', {});
    return selectRows<T>(this.sequelize, sql.replace(MEMBERS_JOIN, MEMBER_IDS_JOIN), {
      ...replacements,
      memberIds: `{${members.map((m) => m.user_id).join(',')}}`,
    });
  }

  /** Returns how many rows were written (INSERT or UPDATE ... RETURNING). */
  private async write(sql: string, user: User): Promise<number> {
    try {
      const [, count] = await this.sequelize.query(sql, {
        replacements: { ...toRow(user), version: user.version },
        transaction: UnitOfWork.current(),
      });
      const written = typeof count === 'number' ? count : Number((count as { rowCount?: number }).rowCount ?? 0);
      // Only a row actually written moves the version (a refused save keeps the old one).
      if (written > 0) user.markStored();
      return written;
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new EmailTakenError();
      throw err;
    }
  }

  private async findOne(where: string, value: string, lock = ''): Promise<User | null> {
    const rows = await selectRows<UserRow>(
      this.sequelize,
      `SELECT ${COLUMNS} FROM public.users WHERE ${where} AND deleted_at IS NULL ${lock}`,
      { value },
    );
    return rows[0] ? toDomain(rows[0]) : null;
  }
}
