import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { Email, USER_REPOSITORY, type User, type UserRepository } from '../../user/user.public';
import {
  AccountBannedError,
  AccountInactiveError,
  EmailNotVerifiedError,
  InvalidCredentialsError,
  SsoRequiredError,
} from '../domain/errors';
import type { UserLoggedIn } from '../domain/events';
import { PASSWORD_MAX } from '../domain/password';
import type { DefaultWorkspace, PasswordHasher, SsoPolicy } from '../domain/ports';
import { SessionIssuer, type TokenPair } from './session-issuer.service';
import { AUTH_SETTINGS, DEFAULT_WORKSPACE, PASSWORD_HASHER, SSO_POLICY, type AuthSettings } from './tokens';

export const loginInput = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(PASSWORD_MAX * 4),
});
export type LoginInput = z.infer<typeof loginInput>;

@Service()
export class LoginUser {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    @Inject(DEFAULT_WORKSPACE) private readonly defaultWorkspace: DefaultWorkspace,
    private readonly issuer: SessionIssuer,
    @Inject(SSO_POLICY) private readonly sso: SsoPolicy,
  ) {}

  async execute(input: LoginInput): Promise<TokenPair & { user: User }> {
    const user = await this.findUser(input.email);
    // Decided by the address's domain, before any password is tried: it says nothing of the account.
    if (await this.sso.requiredFor(input.email)) return this.refuse('sso_required', user, new SsoRequiredError());
    // Unknown accounts still pay for one bcrypt comparison, so timing does not reveal them.
    const matches = await this.hasher.verify(input.password, user?.passwordHash ?? null);
    if (!user || !matches) return this.refuse('bad_credentials', user, new InvalidCredentialsError());
    // Status is only disclosed to someone who knows the password.
    if (user.status === 'banned') return this.refuse('banned', user, new AccountBannedError());
    if (user.status === 'inactive') return this.refuse('inactive', user, new AccountInactiveError());
    if (!user.isVerified && this.settings.requireEmailVerification) {
      return this.refuse('email_not_verified', user, new EmailNotVerifiedError());
    }

    const now = this.clock.now();
    user.recordLogin(now);
    const workspaceId = await this.defaultWorkspace.for(user.id);
    const { pair } = await this.tx.run(async () => {
      // Only the sign-in time: concurrent sign-ins of one account must not conflict, and this
      // write must not carry back a status an administrator changed meanwhile.
      await this.users.recordLogin(user.id, now);
      const started = await this.issuer.start(user, workspaceId);
      await this.audit.record({
        action: 'auth.login.succeeded',
        actorId: user.id,
        targetType: 'session',
        targetId: started.session.id,
      });
      await this.events.publish<UserLoggedIn>(
        domainEvent('UserLoggedIn', { userId: user.id, sessionId: started.session.id }),
      );
      return started;
    });
    return { ...pair, user };
  }

  private async findUser(raw: string): Promise<User | null> {
    try {
      return await this.users.findByEmail(Email.create(raw));
    } catch {
      return null;
    }
  }

  /** Audits the refusal, then throws: every failed login leaves a trace, none leaves a secret. */
  private async refuse(reason: string, user: User | null, error: Error): Promise<never> {
    await this.audit.record({
      action: 'auth.login.failed',
      actorId: user?.id ?? null,
      targetType: user ? 'user' : undefined,
      targetId: user?.id,
      metadata: { reason },
    });
    throw error;
  }
}
