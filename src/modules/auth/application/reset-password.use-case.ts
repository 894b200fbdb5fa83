import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { Mailer } from '../../../core/infrastructure/email/email';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { USER_REPOSITORY, type UserRepository } from '../../user/user.public';
import { EmailTokenInvalidError } from '../domain/email-token';
import type { PasswordReset } from '../domain/events';
import { Password, PASSWORD_MAX } from '../domain/password';
import type { EmailTokenRepository, PasswordHasher, SessionRepository, TokenService } from '../domain/ports';
import { authEmails } from './auth-emails';
import { SessionIssuer } from './session-issuer.service';
import { EMAIL_TOKEN_REPOSITORY, PASSWORD_HASHER, SESSION_REPOSITORY, TOKEN_SERVICE } from './tokens';

export const resetPasswordInput = z.strictObject({
  token: z.string().min(10).max(200),
  password: z.string().max(PASSWORD_MAX * 4),
});
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;

@Service()
export class ResetPassword {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.mailer) private readonly mailer: Mailer,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly issuer: SessionIssuer,
  ) {}

  /** All or nothing: a refused password leaves the token unused, so the user can try again. */
  async execute(input: ResetPasswordInput): Promise<void> {
    const now = this.clock.now();
    const revoked = await this.tx.run(async () => {
      const token = await this.emailTokens.findByHashForUpdate('reset_password', this.tokens.hashSecret(input.token));
      if (!token) throw new EmailTokenInvalidError('reset_password');
      token.consume(now);
      const account = await this.users.findById(token.userId);
      if (!account) throw new EmailTokenInvalidError('reset_password');
      const password = Password.create(input.password, account.email.value);
      account.changePasswordHash(await this.hasher.hash(password.value), now);
      await this.emailTokens.save(token);
      await this.users.save(account);
      const ids = await this.sessions.revokeAllForUser(account.id, 'password_reset', now);
      await this.audit.record({
        action: 'auth.password.reset',
        actorId: account.id,
        targetType: 'user',
        targetId: account.id,
      });
      await this.mailer.send(authEmails.passwordChanged(account.email.value, account.name));
      await this.events.publish<PasswordReset>(domainEvent('PasswordReset', { userId: account.id }));
      return ids;
    });
    await this.issuer.forget(revoked);
  }
}
