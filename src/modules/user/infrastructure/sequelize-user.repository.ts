import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import { Email } from '../domain/email';
import { EmailTakenError } from '../domain/errors';
import { User, type UserStatus } from '../domain/user';
import type { UserRepository } from '../domain/user.repository';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  status: UserStatus;
  email_verified_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMNS =
  'id, email, name, password_hash, status, email_verified_at, last_login_at, created_at, updated_at, deleted_at';

function toDomain(row: UserRow): User {
  return User.restore({
    id: row.id,
    email: Email.create(row.email),
    name: row.name,
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
    name: p.name,
    passwordHash: p.passwordHash,
    status: p.status,
    emailVerifiedAt: p.emailVerifiedAt,
    lastLoginAt: p.lastLoginAt,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    deletedAt: p.deletedAt,
  };
}

/** Plain SQL through Sequelize: the users table is small and its queries are few and explicit. */
export class SequelizeUserRepository implements UserRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async findById(id: string): Promise<User | null> {
    return this.findOne('id = :value', id);
  }

  async findByEmail(email: Email): Promise<User | null> {
    return this.findOne('email = :value', email.value);
  }

  async create(user: User): Promise<void> {
    try {
      await this.sequelize.query(
        `INSERT INTO public.users (${COLUMNS})
         VALUES (:id, :email, :name, :passwordHash, :status, :emailVerifiedAt, :lastLoginAt, :createdAt, :updatedAt, :deletedAt)`,
        { replacements: toRow(user), transaction: UnitOfWork.current() },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new EmailTakenError();
      throw err;
    }
  }

  async save(user: User): Promise<void> {
    await this.sequelize.query(
      `UPDATE public.users SET email = :email, name = :name, password_hash = :passwordHash, status = :status,
         email_verified_at = :emailVerifiedAt, last_login_at = :lastLoginAt, updated_at = :updatedAt, deleted_at = :deletedAt
       WHERE id = :id`,
      { replacements: toRow(user), transaction: UnitOfWork.current() },
    );
  }

  private async findOne(where: string, value: string): Promise<User | null> {
    const rows = await this.sequelize.query<UserRow>(
      `SELECT ${COLUMNS} FROM public.users WHERE ${where} AND deleted_at IS NULL`,
      { replacements: { value }, type: QueryTypes.SELECT, transaction: UnitOfWork.current() },
    );
    return rows[0] ? toDomain(rows[0]) : null;
  }
}
