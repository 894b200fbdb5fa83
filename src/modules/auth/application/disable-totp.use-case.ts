import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { USER_REPOSITORY, UserNotFoundError, WrongPasswordError, type UserRepository } from '../../user/user.public';
import { MfaNotEnrolledError } from '../domain/errors';
import { PASSWORD_MAX } from '../domain/password';
import type { MfaRepository, PasswordHasher } from '../domain/ports';
import { MfaCodeCheck, recoveryCode, totpCode } from './mfa-code-check.service';
import { MfaStatus } from './mfa-status.service';
import { MFA_REPOSITORY, PASSWORD_HASHER } from './tokens';

export const disableTotpInput = z
  .strictObject({
    password: z.string().max(PASSWORD_MAX * 4),
    code: totpCode.optional(),
    recoveryCode: recoveryCode.optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'Send exactly one of code and recoveryCode',
    path: ['code'],
  });
export type DisableTotpInput = z.infer<typeof disableTotpInput>;

/** Turning the second factor off needs both factors: the password and a current code (or a recovery code). */
@Service()
export class DisableTotp {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly check: MfaCodeCheck,
    private readonly status: MfaStatus,
  ) {}

  async execute(input: DisableTotpInput & { userId: string }): Promise<void> {
    const { userId, password, ...proof } = input;
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    if (!(await this.hasher.verify(password, user.passwordHash))) {
      await this.audit.record({ action: 'user.reauth.failed', actorId: userId, targetType: 'user', targetId: userId });
      throw new WrongPasswordError();
    }
    await this.tx.run(async () => {
      const factor = await this.mfa.findFactorForUpdate(userId);
      if (!factor?.enabled) throw new MfaNotEnrolledError('Two-factor authentication is not enabled');
      const method = await this.check.verify(factor, proof, 'disable');
      await this.mfa.deleteFactor(userId);
      await this.audit.record({
        action: 'auth.mfa.disabled',
        actorId: userId,
        targetType: 'user',
        targetId: userId,
        metadata: { method },
      });
      await this.status.forget(userId);
    });
  }
}
