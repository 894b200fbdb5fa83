import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { Logger } from '../../../core/logger';
import type { EmailTokenRepository, MfaRepository, SessionRepository } from '../domain/ports';
import { AUTH_SETTINGS, EMAIL_TOKEN_REPOSITORY, MFA_REPOSITORY, SESSION_REPOSITORY, type AuthSettings } from './tokens';

/** Ended sessions are kept this long (for "where was I signed in" and investigations), then purged. */
export const ENDED_SESSION_RETENTION_DAYS = 30;
/** Spent email tokens are kept a day: a late click still gets "already used", not "unknown". */
export const SPENT_EMAIL_TOKEN_RETENTION_DAYS = 1;

const DAY_MS = 86_400_000;

/** Housekeeping, run hourly by the outbox scheduler: credentials past any use are deleted. */
@Service()
export class PurgeExpiredCredentials {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.logger) private readonly logger: Logger,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(): Promise<{ sessions: number; refreshTokens: number; emailTokens: number; mfaChallenges: number }> {
    const now = this.clock.now().getTime();
    const purged = await this.tx.run(async () => {
      const ended = await this.sessions.purgeEnded({
        endedBefore: new Date(now - ENDED_SESSION_RETENTION_DAYS * DAY_MS),
        idleSeconds: this.settings.sessionIdleSeconds,
      });
      const emailTokens = await this.emailTokens.purgeSpent(new Date(now - SPENT_EMAIL_TOKEN_RETENTION_DAYS * DAY_MS));
      // An MFA token is worthless once expired: no "already used" answer to keep it for.
      const mfaChallenges = await this.mfa.purgeChallenges(this.clock.now());
      return { ...ended, emailTokens, mfaChallenges };
    });
    this.logger.info(purged, 'expired credentials purged');
    return purged;
  }
}
