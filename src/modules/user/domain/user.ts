import type { Email } from './email';

export type UserStatus = 'pending_verification' | 'active' | 'inactive' | 'banned';

export interface UserProps {
  id: string;
  email: Email;
  name: string;
  passwordHash: string;
  status: UserStatus;
  emailVerifiedAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** The account: identity, credentials and status. Transitions are methods, so rules live here. */
export class User {
  private constructor(private props: UserProps) {}

  static register(input: { id: string; email: Email; name: string; passwordHash: string; now: Date }): User {
    return new User({
      id: input.id,
      email: input.email,
      name: input.name.trim(),
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
    return new User({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get email(): Email {
    return this.props.email;
  }
  get name(): string {
    return this.props.name;
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

  toProps(): Readonly<UserProps> {
    return { ...this.props };
  }
}
