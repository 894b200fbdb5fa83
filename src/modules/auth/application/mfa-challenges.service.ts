import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { MfaChallenge } from '../domain/mfa-challenge';
import type { MfaRepository, TokenService } from '../domain/ports';
import { AUTH_SETTINGS, MFA_REPOSITORY, TOKEN_SERVICE, type AuthSettings } from './tokens';

/** The answer of a password step when the account has a second factor: no access token yet. */
export interface MfaPending {
  mfaRequired: true;
  /** Opaque, single use, short-lived: only POST /auth/mfa/challenge accepts it. */
  mfaToken: string;
  expiresIn: number;
}

/** Opens the second step of a sign-in for an account whose password matched. */
@Service()
export class MfaChallenges {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async required(userId: string): Promise<boolean> {
    return (await this.mfa.findFactor(userId))?.enabled ?? false;
  }

  async open(userId: string): Promise<MfaPending> {
    const { secret, hash } = this.tokens.mintSecret('mfa');
    const ttlSeconds = this.settings.mfaTokenTtlSeconds;
    await this.mfa.createChallenge(
      MfaChallenge.issue({ id: randomUUID(), userId, tokenHash: hash, now: this.clock.now(), ttlSeconds }),
    );
    return { mfaRequired: true, mfaToken: secret, expiresIn: ttlSeconds };
  }
}
