import type { Email } from './email';
import { UserProfile, type UserProfileProps } from './user-profile';
import {
  StatusTransitionError,
  assertTransition,
  keepsSessions,
  type SettableStatus,
  type UserStatus,
} from './user-status';

export type { UserStatus } from './user-status';

export interface UserProps {
  id: string;
  email: Email;
  profile: UserProfile;
  passwordHash: string;
  status: UserStatus;
  emailVerifiedAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/**
 * The account, aggregate root of the user context: identity, profile, credentials and status.
 * Transitions are methods, so their rules live here and nowhere else.
 */
export class User {
  /**
   * updated_at as last read from or written to storage (null: never stored). Saving checks it is
   * unchanged, so a slow flow (a bcrypt check, then a save) cannot write back a stale status or
   * deletion over an administrator's concurrent ban.
   */
  private storedVersion: Date | null = null;

  private constructor(private props: UserProps) {}

  static register(input: { id: string; email: Email; name: string; passwordHash: string; now: Date }): User {
    return new User({
      id: input.id,
      email: input.email,
      profile: UserProfile.create({ name: input.name, avatarUrl: null, locale: null, timezone: null }),
      passwordHash: input.passwordHash,
      status: 'pending_verification',
      emailVerifiedAt: null,
      lastLoginAt: null,
      createdAt: input.now,
      updatedAt: input.now,
      deletedAt: null,
    });
  }

  static restore(props: UserProps): User {
    const user = new User({ ...props });
    user.storedVersion = props.updatedAt;
    return user;
  }

  get version(): Date | null {
    return this.storedVersion;
  }

  /** Called by the repository once the current state is stored. */
  markStored(): void {
    this.storedVersion = this.props.updatedAt;
  }

  get id(): string {
    return this.props.id;
  }
  get email(): Email {
    return this.props.email;
  }
  get profile(): UserProfile {
    return this.props.profile;
  }
  get name(): string {
    return this.props.profile.name;
  }
  get passwordHash(): string {
    return this.props.passwordHash;
  }
  get status(): UserStatus {
    return this.props.status;
  }
  get emailVerifiedAt(): Date | null {
    return this.props.emailVerifiedAt;
  }
  get lastLoginAt(): Date | null {
    return this.props.lastLoginAt;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }
  get isDeleted(): boolean {
    return this.props.deletedAt !== null;
  }
  get isVerified(): boolean {
    return this.props.emailVerifiedAt !== null;
  }

  /** Proves the address; a pending account becomes active (other statuses are kept). */
  verifyEmail(now: Date): void {
    this.props.emailVerifiedAt ??= now;
    if (this.props.status === 'pending_verification') this.props.status = 'active';
    this.props.updatedAt = now;
  }

  recordLogin(now: Date): void {
    this.props.lastLoginAt = now;
    this.props.updatedAt = now;
  }

  changePasswordHash(passwordHash: string, now: Date): void {
    this.props.passwordHash = passwordHash;
    this.props.updatedAt = now;
  }

  /** Name, avatar, locale, time zone: all valid or none applied. */
  updateProfile(changes: Partial<UserProfileProps>, now: Date): void {
    this.props.profile = this.props.profile.with(changes);
    this.props.updatedAt = now;
  }

  /** A new address, proven by the token mailed to it: it counts as verified. */
  changeEmail(email: Email, now: Date): void {
    this.props.email = email;
    this.props.emailVerifiedAt = now;
    if (this.props.status === 'pending_verification') this.props.status = 'active';
    this.props.updatedAt = now;
  }

  /**
   * An administrator sets the status. Nobody changes their own (a banned admin cannot unban
   * themself); activating a pending account vouches for its address. Returns whether anything
   * changed, and whether the account's sessions must now end.
   */
  changeStatus(to: SettableStatus, actorId: string, now: Date): { changed: boolean; endSessions: boolean } {
    if (actorId === this.props.id) {
      throw new StatusTransitionError('You cannot change your own status', 'CANNOT_CHANGE_OWN_STATUS');
    }
    if (this.props.status === to) return { changed: false, endSessions: false };
    assertTransition(this.props.status, to);
    if (to === 'active') this.props.emailVerifiedAt ??= now;
    this.props.status = to;
    this.props.updatedAt = now;
    return { changed: true, endSessions: !keepsSessions(to) };
  }

  /** Soft delete: the row stays (audit trails keep the id), the account is gone everywhere else. */
  delete(now: Date): void {
    this.props.deletedAt ??= now;
    this.props.updatedAt = now;
  }

  toProps(): Readonly<UserProps> {
    return { ...this.props };
  }
}
