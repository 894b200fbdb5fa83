import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { USER_REPOSITORY, UserNotFoundError, type UserRepository } from '../../user/user.public';
import { MfaAlreadyEnabledError } from '../domain/errors';
import type { MfaRepository, TotpService } from '../domain/ports';
import { TotpFactor } from '../domain/totp-factor';
import { AUTH_SETTINGS, MFA_REPOSITORY, TOTP_SERVICE, type AuthSettings } from './tokens';

export interface TotpEnrolment {
  /** Base32 seed, for typing into an app by hand; shown at enrolment only. */
  secret: string;
  otpauthUri: string;
  /** The URI as an SVG QR code (data: URL). */
  qrCode: string;
}

/**
 * Starts (or restarts) TOTP enrolment: a new seed, pending until POST /auth/mfa/totp/verify proves
 * the app has it. An active factor is never replaced here: disable it first (password + code).
 */
@Service()
export class EnrolTotp {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(TOTP_SERVICE) private readonly totp: TotpService,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(input: { userId: string }): Promise<TotpEnrolment> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    const secret = this.totp.generateSecret();
    await this.tx.run(async () => {
      if ((await this.mfa.findFactorForUpdate(user.id))?.enabled) throw new MfaAlreadyEnabledError();
      await this.mfa.saveFactor(TotpFactor.enrol({ userId: user.id, secret, now: this.clock.now() }));
      await this.audit.record({
        action: 'auth.mfa.enrolment_started',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
      });
    });
    const otpauthUri = this.totp.keyUri({ issuer: this.settings.mfaIssuer, account: user.email.value, secret });
    return { secret, otpauthUri, qrCode: await this.totp.qrCode(otpauthUri) };
  }
}
