import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { Mailer } from '../../../core/infrastructure/email/email';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { Email, User, USER_REPOSITORY, type UserRepository } from '../../user/user.public';
import { EmailToken } from '../domain/email-token';
import type { UserRegistered } from '../domain/events';
import { Password, PASSWORD_MAX } from '../domain/password';
import type { EmailTokenRepository, PasswordHasher, TokenService } from '../domain/ports';
import { authEmails } from './auth-emails';
import { AUTH_SETTINGS, EMAIL_TOKEN_REPOSITORY, PASSWORD_HASHER, TOKEN_SERVICE, type AuthSettings } from './tokens';

export const registerInput = z.strictObject({
  email: z.string().max(254).openapi({ example: 'ada@example.com' }),
  password: z
    .string()
    .max(PASSWORD_MAX * 4)
    .openapi({ example: 'correct horse battery staple' }),
  name: z.string().trim().min(1).max(100).openapi({ example: 'Ada Lovelace' }),
});
export type RegisterInput = z.infer<typeof registerInput>;

@Service()
export class RegisterUser {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.mailer) private readonly mailer: Mailer,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(input: RegisterInput): Promise<User> {
    const email = Email.create(input.email);
    const password = Password.create(input.password, email.value);
    const now = this.clock.now();
    const user = User.register({
      id: randomUUID(),
      email,
      name: input.name,
      passwordHash: await this.hasher.hash(password.value),
      now,
    });
    const { secret, hash } = this.tokens.mintSecret('ev');
    await this.tx.run(async () => {
      await this.users.create(user);
      await this.emailTokens.replace(
        EmailToken.issue({
          id: randomUUID(),
          userId: user.id,
          purpose: 'verify_email',
          tokenHash: hash,
          now,
          ttlSeconds: this.settings.verifyEmailTtlSeconds,
        }),
      );
      await this.audit.record({
        action: 'auth.register.succeeded',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
      });
      const url = `${this.settings.frontendUrl}/verify-email?token=${encodeURIComponent(secret)}`;
      await this.mailer.send(authEmails.verify(email.value, user.name, url));
      await this.events.publish<UserRegistered>(domainEvent('UserRegistered', { userId: user.id }));
    });
    return user;
  }
}
