import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { UseSelfServiceError, UserNotFoundError, WrongPasswordError } from '../domain/errors';
import type { UserDeleted, UserStatusChanged } from '../domain/events';
import type { AccountSecurity } from '../domain/ports';
import type { User } from '../domain/user';
import type { SettableStatus } from '../domain/user-status';
import type { UserRepository } from '../domain/user.repository';
import { Avatars } from './avatars.use-case';
import { ACCOUNT_SECURITY, USER_REPOSITORY } from './tokens';

/**
 * Account status and deletion. Status changes and deletions by others are platform-admin routes
 * (the guard checks `platform.users.manage`); deleting oneself needs one's password. Either way
 * the account's sessions end in the same transaction, and its access tokens die at commit.
 */
@Service()
export class ManageAccounts {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(ACCOUNT_SECURITY) private readonly security: AccountSecurity,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly avatars: Avatars,
  ) {}

  async changeStatus(input: { actorId: string; userId: string; status: SettableStatus }): Promise<User> {
    return this.tx.run(async () => {
      const account = await this.lock(input.userId);
      const previous = account.status;
      const result = account.changeStatus(input.status, input.actorId, this.clock.now());
      if (result.changed) {
        await this.users.save(account);
        if (result.endSessions) await this.security.endSessions(account.id, `status_${input.status}`);
        await this.audit.record({
          action: 'user.status.changed',
          actorId: input.actorId,
          targetType: 'user',
          targetId: account.id,
          metadata: { from: previous, to: input.status, sessionsEnded: result.endSessions },
        });
        await this.events.publish<UserStatusChanged>(
          domainEvent('UserStatusChanged', {
            userId: account.id,
            from: previous,
            to: account.status,
            by: input.actorId,
            sessionsEnded: result.endSessions,
          }),
        );
      }
      return account;
    });
  }

  /** A platform admin deletes someone else's account. */
  async deleteOther(input: { actorId: string; userId: string }): Promise<void> {
    if (input.actorId === input.userId) throw new UseSelfServiceError();
    await this.delete(input.userId, input.actorId, 'platform_admin');
  }

  /** The user deletes their own account, confirmed by their password. */
  async deleteSelf(input: { userId: string; password: string }): Promise<void> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    if (!(await this.security.verifyPassword(user, input.password))) {
      await this.audit.record({
        action: 'user.reauth.failed',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
      });
      throw new WrongPasswordError();
    }
    await this.delete(user.id, user.id, 'self');
  }

  private async delete(userId: string, actorId: string, by: 'self' | 'platform_admin'): Promise<void> {
    const user = await this.tx.run(async () => {
      const account = await this.lock(userId);
      account.delete(this.clock.now());
      await this.users.save(account);
      await this.security.endSessions(account.id, 'account_deleted');
      await this.audit.record({
        action: 'user.deleted',
        actorId,
        targetType: 'user',
        targetId: account.id,
        metadata: { by },
      });
      await this.events.publish<UserDeleted>(domainEvent('UserDeleted', { userId: account.id, by: actorId }));
      return account;
    });
    await this.avatars.discard(user.id, user.profile.avatarUrl);
  }

  private async lock(userId: string): Promise<User> {
    const user = await this.users.findByIdForUpdate(userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}
