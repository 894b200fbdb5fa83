import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { Mailer } from '../../../core/infrastructure/email/email';
import { Email, EmailTakenError, USER_REPOSITORY, type UserRepository } from '../../user/user.public';
import { authEmails } from './auth-emails';
import { EmailTokenInvalidError } from '../domain/email-token';
import type { EmailChanged, EmailVerified } from '../domain/events';
import type { EmailTokenRepository, TokenService } from '../domain/ports';
import { EMAIL_TOKEN_REPOSITORY, TOKEN_SERVICE } from './tokens';

export const emailTokenInput = z.strictObject({ token: z.string().min(10).max(200) });
export type EmailTokenInput = z.infer<typeof emailTokenInput>;

@Service()
export class VerifyEmail {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(input: EmailTokenInput): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async () => {
      const token = await this.emailTokens.findByHashForUpdate('verify_email', this.tokens.hashSecret(input.token));
      if (!token) throw new EmailTokenInvalidError('verify_email');
      token.consume(now);
      const user = await this.users.findById(token.userId);
      if (!user) throw new EmailTokenInvalidError('verify_email');
      user.verifyEmail(now);
      await this.emailTokens.save(token);
      await this.users.save(user);
      await this.audit.record({
        action: 'auth.email.verified',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
      });
      await this.events.publish<EmailVerified>(domainEvent('EmailVerified', { userId: user.id }));
    });
  }
}

/**
 * Applies an email change requested with PUT /users/me, once the link mailed to the new address
 * is followed. The old address is told. If the address was taken meanwhile, 409 and the token stays
 * unused (nothing half-applied).
 */
@Service()
export class ConfirmEmailChange {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.mailer) private readonly mailer: Mailer,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(input: EmailTokenInput): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async () => {
      const token = await this.emailTokens.findByHashForUpdate('change_email', this.tokens.hashSecret(input.token));
      if (!token?.newEmail) throw new EmailTokenInvalidError('change_email');
      token.consume(now);
      const account = await this.users.findByIdForUpdate(token.userId);
      if (!account) throw new EmailTokenInvalidError('change_email');
      const newEmail = Email.create(token.newEmail);
      const holder = await this.users.findByEmail(newEmail);
      if (holder && holder.id !== account.id) throw new EmailTakenError();
      const old = account.email.value;
      account.changeEmail(newEmail, now);
      await this.emailTokens.save(token);
      // Links mailed to the old address (a reset, say) stop working with it.
      await this.emailTokens.retireAll(account.id);
      await this.users.save(account);
      await this.audit.record({
        action: 'user.email.changed',
        actorId: account.id,
        targetType: 'user',
        targetId: account.id,
      });
      // Both in the outbox of this transaction: sent if and only if the change commits.
      await this.mailer.send(authEmails.emailChanged(old, account.name, account.email.value));
      await this.events.publish<EmailChanged>(domainEvent('EmailChanged', { userId: account.id }));
    });
  }
}
