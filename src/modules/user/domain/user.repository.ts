import type { Page } from '../../../core/domain/page';
import type { Email } from './email';
import type { User } from './user';
import type { UserStatus } from './user-status';

export const USER_SORTS = ['name', 'email', 'created_at'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserListQuery {
  page: number;
  limit: number;
  sort: UserSort;
  order: 'asc' | 'desc';
  status?: UserStatus;
  /** Case-insensitive substring of the name or the email, taken literally (no wildcards). */
  search?: string;
}

/**
 * Who a listing covers. `workspace`: the members of the tenant the request runs in (its
 * search_path); `platform`: every account.
 */
export type UserScope = 'workspace' | 'platform';

/** Live (not deleted) users only, unless a method says otherwise. */
export interface UserRepository {
  findById(id: string): Promise<User | null>;
  /** Locks the row until the transaction ends: concurrent status changes and deletions queue. */
  findByIdForUpdate(id: string): Promise<User | null>;
  findByEmail(email: Email): Promise<User | null>;
  /** Throws EmailTakenError when a live user already has the address. */
  create(user: User): Promise<void>;
  /** Throws EmailTakenError when the user's new address belongs to another live user. */
  save(user: User): Promise<void>;
  /** Sets last_login_at alone (no version check: it changes nothing else). */
  recordLogin(userId: string, at: Date): Promise<void>;
  list(scope: UserScope, query: UserListQuery): Promise<Page<User>>;
  /** The user when the scope covers them (a member of the workspace, or anyone for the platform). */
  findInScope(scope: UserScope, id: string): Promise<User | null>;
}
