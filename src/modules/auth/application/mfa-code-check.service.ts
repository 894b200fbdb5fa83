import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { RateLimitError } from '../../../core/errors/app-error';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { MfaCodeInvalidError, MfaCodeReplayedError } from '../domain/errors';
import type { MfaRepository, TokenService, TotpService } from '../domain/ports';
import type { TotpFactor } from '../domain/totp-factor';
import { normalizeRecoveryCode } from './recovery-codes';
import { AUTH_SETTINGS, MFA_REPOSITORY, TOKEN_SERVICE, TOTP_SERVICE, type AuthSettings } from './tokens';

export const totpCode = z
  .string()
  .regex(/^\d{6}$/, 'Six digits')
  .openapi({ description: 'The 6-digit code of the authenticator app', example: '123456' });
export const recoveryCode = z
  .string()
  .min(16)
  .max(32)
  .openapi({ description: 'One of the recovery codes shown at activation (each works once)' });

export type MfaProof = { code?: string; recoveryCode?: string };
export type MfaMethod = 'totp' | 'recovery_code';

const failuresKey = (userId: string) => `auth:mfa:failures:${userId}`;

/**
 * Checks a second-factor proof for a factor locked by the caller's transaction. A TOTP code is
 * accepted once (its time step must be newer than the last used); a recovery code once. Wrong
 * codes are counted per user in the shared cache (not rolled back with the request): past the
 * limit every code is refused with 429 until the window ends, whichever MFA token carries it.
 */
@Service()
export class MfaCodeCheck {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(TOTP_SERVICE) private readonly totp: TotpService,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.cache) private readonly cache: Cache,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async verify(factor: TotpFactor, proof: MfaProof, purpose: string): Promise<MfaMethod> {
    const { userId } = factor;
    const failures = (await this.cache.get<number>(failuresKey(userId))) ?? 0;
    if (failures >= this.settings.mfaMaxFailures) {
      await this.refused(userId, purpose, 'rate_limited');
      throw new RateLimitError(
        'Too many wrong codes, retry later',
        this.settings.mfaFailureWindowSeconds,
        'MFA_TOO_MANY_ATTEMPTS',
      );
    }
    const now = this.clock.now();
    if (proof.code) {
      const step = await this.totp.verify({ secret: factor.secret, code: proof.code, now });
      if (step !== null && factor.useStep(step) === 'accepted') {
        await this.mfa.saveFactor(factor);
        return 'totp';
      }
      if (step !== null) return this.fail(userId, purpose, 'replayed', new MfaCodeReplayedError());
    } else if (proof.recoveryCode && factor.enabled) {
      const hash = this.tokens.hashSecret(normalizeRecoveryCode(proof.recoveryCode));
      if (await this.mfa.useRecoveryCode(userId, hash, now)) return 'recovery_code';
    }
    return this.fail(userId, purpose, 'wrong_code', new MfaCodeInvalidError());
  }

  private async fail(userId: string, purpose: string, reason: string, error: Error): Promise<never> {
    await this.cache.increment(failuresKey(userId), this.settings.mfaFailureWindowSeconds);
    await this.refused(userId, purpose, reason);
    throw error;
  }

  /** Detached: the caller's transaction rolls back, the trace stays. */
  private refused(userId: string, purpose: string, reason: string): Promise<void> {
    return this.audit.record(
      {
        action: 'auth.mfa.failed',
        actorId: userId,
        targetType: 'user',
        targetId: userId,
        metadata: { purpose, reason },
      },
      { detached: true },
    );
  }
}
