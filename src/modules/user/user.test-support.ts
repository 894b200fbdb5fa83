// Test support other modules' unit tests may import (never production code).
import type { Page } from '../../core/domain/page';
import { EmailTakenError } from './domain/errors';
import type { Email } from './domain/email';
import { User } from './domain/user';
import type { UserListQuery, UserRepository, UserScope } from './domain/user.repository';

/**
 * In-memory users. It keeps snapshots, not live objects, so a change a use case forgets to save
 * is lost, as with the real database. `members` stands for the current workspace's members.
 */
export class FakeUsers implements UserRepository {
  readonly rows = new Map<string, ReturnType<User['toProps']>>();
  readonly members = new Set<string>();

  async findById(id: string) {
    const p = this.rows.get(id);
    return p && !p.deletedAt ? User.restore(p) : null;
  }
  findByIdForUpdate(id: string) {
    return this.findById(id);
  }
  async findByEmail(email: Email) {
    const p = [...this.rows.values()].find((r) => r.email.value === email.value && !r.deletedAt);
    return p ? User.restore(p) : null;
  }
  async create(user: User) {
    if (await this.findByEmail(user.email)) throw new EmailTakenError();
    this.rows.set(user.id, user.toProps());
  }
  async save(user: User) {
    const holder = await this.findByEmail(user.email);
    if (holder && holder.id !== user.id) throw new EmailTakenError();
    this.rows.set(user.id, user.toProps());
  }
  async recordLogin(userId: string, at: Date) {
    const p = this.rows.get(userId);
    if (p) this.rows.set(userId, { ...p, lastLoginAt: at });
  }
  async list(scope: UserScope, query: UserListQuery): Promise<Page<User>> {
    const all = [...this.rows.values()]
      .filter((p) => !p.deletedAt && (scope === 'platform' || this.members.has(p.id)))
      .filter((p) => !query.status || p.status === query.status)
      .map((p) => User.restore(p));
    const start = (query.page - 1) * query.limit;
    return {
      items: all.slice(start, start + query.limit),
      meta: { page: query.page, limit: query.limit, total: all.length },
    };
  }
  async findInScope(scope: UserScope, id: string) {
    return scope === 'platform' || this.members.has(id) ? this.findById(id) : null;
  }
}
