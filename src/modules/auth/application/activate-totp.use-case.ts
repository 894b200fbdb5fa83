import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { MfaAlreadyEnabledError, MfaNotEnrolledError } from '../domain/errors';
import type { MfaRepository, TokenService } from '../domain/ports';
import { MfaCodeCheck, totpCode } from './mfa-code-check.service';
import { MfaStatus } from './mfa-status.service';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes';
import { MFA_REPOSITORY, TOKEN_SERVICE } from './tokens';

export const activateTotpInput = z.strictObject({ code: totpCode });
export type ActivateTotpInput = z.infer<typeof activateTotpInput>;

/** The first valid code turns the pending factor on and yields ten recovery codes, shown this once. */
@Service()
export class ActivateTotp {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly check: MfaCodeCheck,
    private readonly status: MfaStatus,
  ) {}

  async execute(input: ActivateTotpInput & { userId: string }): Promise<{ recoveryCodes: string[] }> {
    const { userId } = input;
    return this.tx.run(async () => {
      const factor = await this.mfa.findFactorForUpdate(userId);
      if (!factor) throw new MfaNotEnrolledError();
      if (factor.enabled) throw new MfaAlreadyEnabledError();
      await this.check.verify(factor, { code: input.code }, 'activate');
      const now = this.clock.now();
      factor.activate(now);
      await this.mfa.saveFactor(factor);
      const recoveryCodes = newRecoveryCodes();
      const hashes = recoveryCodes.map((code) => this.tokens.hashSecret(normalizeRecoveryCode(code)));
      await this.mfa.replaceRecoveryCodes(userId, hashes, now);
      await this.audit.record({ action: 'auth.mfa.enabled', actorId: userId, targetType: 'user', targetId: userId });
      await this.status.forget(userId);
      return { recoveryCodes };
    });
  }
}
