import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { Mailer } from '../../../core/infrastructure/email/email';
import type { AccountSecurity, Email, User } from '../../user/user.public';
import { EmailToken } from '../domain/email-token';
import { Password } from '../domain/password';
import type { EmailTokenRepository, PasswordHasher, SessionRepository, TokenService } from '../domain/ports';
import { authEmails } from './auth-emails';
import { SessionIssuer } from './session-issuer.service';
import {
  AUTH_SETTINGS,
  EMAIL_TOKEN_REPOSITORY,
  PASSWORD_HASHER,
  SESSION_REPOSITORY,
  TOKEN_SERVICE,
  type AuthSettings,
} from './tokens';

/** The auth context's side of the user context's AccountSecurity port. */
@Service()
export class AuthAccountSecurity implements AccountSecurity {
  constructor(
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.mailer) private readonly mailer: Mailer,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly issuer: SessionIssuer,
  ) {}

  verifyPassword(user: User, password: string): Promise<boolean> {
    return this.hasher.verify(password, user.passwordHash);
  }

  hashNewPassword(user: User, password: string): Promise<string> {
    return this.hasher.hash(Password.create(password, user.email.value).value);
  }

  async endSessions(userId: string, reason: string, exceptSessionId?: string): Promise<void> {
    const revoked = await this.sessions.revokeAllForUser(userId, reason, this.clock.now(), exceptSessionId);
    await UnitOfWork.afterCommit(() => this.issuer.forget(revoked));
  }

  async requestEmailChange(user: User, newEmail: Email): Promise<void> {
    const { secret, hash } = this.tokens.mintSecret('ec');
    await this.emailTokens.replace(
      EmailToken.issue({
        id: randomUUID(),
        userId: user.id,
        purpose: 'change_email',
        tokenHash: hash,
        newEmail: newEmail.value,
        now: this.clock.now(),
        ttlSeconds: this.settings.verifyEmailTtlSeconds,
      }),
    );
    const url = `${this.settings.frontendUrl}/confirm-email?token=${encodeURIComponent(secret)}`;
    await this.mailer.send(authEmails.changeEmail(newEmail.value, user.name, url));
  }
}
