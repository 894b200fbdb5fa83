import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import { ValidationError } from '../../../core/errors/app-error';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { Email } from '../domain/email';
import { EmailTakenError, UserNotFoundError, WrongPasswordError } from '../domain/errors';
import type { UserPasswordChanged, UserProfileUpdated } from '../domain/events';
import type { AccountSecurity } from '../domain/ports';
import type { User } from '../domain/user';
import type { UserProfileProps } from '../domain/user-profile';
import type { UserRepository } from '../domain/user.repository';
import { Avatars } from './avatars.use-case';
import { ACCOUNT_SECURITY, USER_REPOSITORY } from './tokens';

export interface UpdateProfileInput extends Partial<UserProfileProps> {
  userId: string;
  /** The session making the change: it survives a password change, every other one ends. */
  sessionId: string;
  email?: string;
  currentPassword?: string;
  newPassword?: string;
}

export interface UpdateProfileResult {
  user: User;
  /** The address awaiting confirmation, when the request asked for a new one. */
  pendingEmail: string | null;
}

/**
 * PUT /users/me: profile fields apply at once; a new email only once the link mailed to it is
 * followed; a new password ends every other session. Email and password changes need the
 * current password. All or nothing: one refused field changes nothing.
 */
@Service()
export class UpdateMyProfile {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(ACCOUNT_SECURITY) private readonly security: AccountSecurity,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly avatars: Avatars,
  ) {}

  async execute(input: UpdateProfileInput): Promise<UpdateProfileResult> {
    const { userId, sessionId, email, currentPassword, newPassword, ...profile } = input;
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    const newEmail = email === undefined ? null : Email.create(email);
    const emailChanges = newEmail !== null && !newEmail.equals(user.email);
    if ((emailChanges || newPassword !== undefined) && !(await this.reauthenticate(user, currentPassword))) {
      throw new WrongPasswordError();
    }
    const now = this.clock.now();
    const previousAvatar = user.profile.avatarUrl;
    const profileFields = Object.keys(profile).filter((k) => profile[k as keyof typeof profile] !== undefined);
    if (profileFields.length > 0) user.updateProfile(profile, now);
    if (newPassword !== undefined) user.changePasswordHash(await this.security.hashNewPassword(user, newPassword), now);

    await this.tx.run(async () => {
      if (emailChanges) {
        const holder = await this.users.findByEmail(newEmail);
        if (holder && holder.id !== user.id) throw new EmailTakenError();
      }
      await this.users.save(user);
      if (profileFields.length > 0) {
        await this.record(user, 'user.profile.updated', { fields: profileFields });
      }
      if (newPassword !== undefined) {
        await this.security.endSessions(user.id, 'password_changed', sessionId);
        await this.record(user, 'user.password.changed');
      }
      if (emailChanges) {
        await this.security.requestEmailChange(user, newEmail);
        await this.record(user, 'user.email.change_requested');
      }
      if (profileFields.length > 0) {
        await this.events.publish<UserProfileUpdated>(domainEvent('UserProfileUpdated', { userId: user.id }));
      }
      if (newPassword !== undefined) {
        await this.events.publish<UserPasswordChanged>(
          domainEvent('UserPasswordChanged', { userId: user.id, keptSessionId: sessionId }),
        );
      }
    });
    if (user.profile.avatarUrl !== previousAvatar) await this.avatars.discard(user.id, previousAvatar);
    return { user, pendingEmail: emailChanges ? newEmail.value : null };
  }

  private async reauthenticate(user: User, currentPassword: string | undefined): Promise<boolean> {
    if (currentPassword === undefined) {
      throw new ValidationError('The current password is required to change the email or the password', [
        { path: 'body.currentPassword', message: 'Required' },
      ]);
    }
    if (await this.security.verifyPassword(user, currentPassword)) return true;
    await this.audit.record({ action: 'user.reauth.failed', actorId: user.id, targetType: 'user', targetId: user.id });
    return false;
  }

  private record(user: User, action: string, metadata?: Record<string, unknown>): Promise<void> {
    return this.audit.record({ action, actorId: user.id, targetType: 'user', targetId: user.id, metadata });
  }
}
