import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { USER_REPOSITORY, type User, type UserRepository } from '../../user/user.public';
import { MfaTokenInvalidError } from '../domain/errors';
import type { UserLoggedIn } from '../domain/events';
import type { DefaultWorkspace, MfaRepository, TokenService } from '../domain/ports';
import { MfaCodeCheck, recoveryCode, totpCode } from './mfa-code-check.service';
import { canSignIn } from './refresh-session.use-case';
import { SessionIssuer, type TokenPair } from './session-issuer.service';
import { AUTH_SETTINGS, DEFAULT_WORKSPACE, MFA_REPOSITORY, TOKEN_SERVICE, type AuthSettings } from './tokens';

export const mfaChallengeInput = z
  .strictObject({
    mfaToken: z.string().min(10).max(200).openapi({ description: 'The `mfaToken` of the password step' }),
    code: totpCode.optional(),
    recoveryCode: recoveryCode.optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'Send exactly one of code and recoveryCode',
    path: ['code'],
  });
export type MfaChallengeInput = z.infer<typeof mfaChallengeInput>;

/**
 * The second step of a sign-in: a valid MFA token and a code start the session. A wrong code
 * leaves the token usable until it expires (the per-user failure limit bounds the guesses).
 */
@Service()
export class CompleteMfaChallenge {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    @Inject(DEFAULT_WORKSPACE) private readonly defaultWorkspace: DefaultWorkspace,
    private readonly check: MfaCodeCheck,
    private readonly issuer: SessionIssuer,
  ) {}

  async execute(input: MfaChallengeInput): Promise<TokenPair & { user: User }> {
    const { mfaToken, ...proof } = input;
    const now = this.clock.now();
    return this.tx.run(async () => {
      const challenge = await this.mfa.findChallengeByHashForUpdate(this.tokens.hashSecret(mfaToken));
      const user = challenge?.isOpen(now) ? await this.users.findById(challenge.userId) : null;
      const factor = user && canSignIn(user, this.settings) ? await this.mfa.findFactorForUpdate(user.id) : null;
      if (!challenge || !user || !factor?.enabled) throw new MfaTokenInvalidError();
      const method = await this.check.verify(factor, proof, 'sign_in');
      challenge.complete(now);
      await this.mfa.saveChallenge(challenge);
      user.recordLogin(now);
      await this.users.recordLogin(user.id, now);
      const started = await this.issuer.start(user, await this.defaultWorkspace.for(user.id));
      await this.audit.record({
        action: 'auth.login.succeeded',
        actorId: user.id,
        targetType: 'session',
        targetId: started.session.id,
        metadata: { mfa: method },
      });
      await this.events.publish<UserLoggedIn>(
        domainEvent('UserLoggedIn', { userId: user.id, sessionId: started.session.id }),
      );
      return { ...started.pair, user };
    });
  }
}
