import type { Email } from './email';
import type { User } from './user';

/**
 * What the user context needs of the credentials (auth) context, which binds it: the user context
 * decides when, the auth context knows how.
 */
export interface AccountSecurity {
  verifyPassword(user: User, password: string): Promise<boolean>;
  /** Checks the password policy (ValidationError otherwise) and returns the hash to store. */
  hashNewPassword(user: User, password: string): Promise<string>;
  /**
   * Revokes the user's sessions (all, or all but one) in the current transaction; their access
   * tokens stop working on every instance once it commits.
   */
  endSessions(userId: string, reason: string, exceptSessionId?: string): Promise<void>;
  /** Mails a confirmation link to the new address; the change applies when the link is followed. */
  requestEmailChange(user: User, newEmail: Email): Promise<void>;
}
