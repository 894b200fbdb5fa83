import type { Email } from './email';
import type { User } from './user';

/** Live (not deleted) users only, unless a method says otherwise. */
export interface UserRepository {
  findById(id: string): Promise<User | null>;
  findByEmail(email: Email): Promise<User | null>;
  /** Throws EmailTakenError when a live user already has the address. */
  create(user: User): Promise<void>;
  save(user: User): Promise<void>;
}
