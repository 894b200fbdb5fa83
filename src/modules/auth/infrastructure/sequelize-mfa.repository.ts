import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { Sealer } from '../../../core/utils/sealer';
import { MfaChallenge } from '../domain/mfa-challenge';
import type { MfaRepository } from '../domain/ports';
import { TotpFactor } from '../domain/totp-factor';

interface FactorRow {
  user_id: string;
  secret_sealed: string;
  enabled_at: Date | null;
  last_used_step: string | null;
  created_at: Date;
}

interface ChallengeRow {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** The TOTP seed is sealed (AES-256-GCM, DATA_ENCRYPTION_KEY) on the way in and opened on the way out. */
export class SequelizeMfaRepository implements MfaRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly sealer: Sealer,
  ) {}

  findFactor(userId: string): Promise<TotpFactor | null> {
    return this.factor('SELECT * FROM public.mfa_totp WHERE user_id = :userId', userId);
  }

  findFactorForUpdate(userId: string): Promise<TotpFactor | null> {
    return this.factor('SELECT * FROM public.mfa_totp WHERE user_id = :userId FOR UPDATE', userId);
  }

  async saveFactor(factor: TotpFactor): Promise<void> {
    const p = factor.toProps();
    await this.exec(
      `INSERT INTO public.mfa_totp (user_id, secret_sealed, enabled_at, last_used_step, created_at)
       VALUES (:userId, :secretSealed, :enabledAt, :lastUsedStep, :createdAt)
       ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, enabled_at = EXCLUDED.enabled_at,
         last_used_step = EXCLUDED.last_used_step, created_at = EXCLUDED.created_at`,
      { ...p, secretSealed: this.sealer.seal(p.secret) },
    );
  }

  async deleteFactor(userId: string): Promise<void> {
    await this.exec('DELETE FROM public.mfa_recovery_codes WHERE user_id = :userId', { userId });
    await this.exec('DELETE FROM public.mfa_totp WHERE user_id = :userId', { userId });
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[], now: Date): Promise<void> {
    await this.exec('DELETE FROM public.mfa_recovery_codes WHERE user_id = :userId', { userId });
    for (const codeHash of codeHashes) {
      await this.exec(
        `INSERT INTO public.mfa_recovery_codes (id, user_id, code_hash, created_at)
         VALUES (:id, :userId, :codeHash, :now)`,
        { id: randomUUID(), userId, codeHash, now },
      );
    }
  }

  async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const rows = await this.select<{ id: string }>(
      `UPDATE public.mfa_recovery_codes SET used_at = :now
       WHERE user_id = :userId AND code_hash = :codeHash AND used_at IS NULL RETURNING id`,
      { userId, codeHash, now },
    );
    return rows.length === 1;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const [row] = await this.select<{ n: string }>(
      'SELECT count(*) AS n FROM public.mfa_recovery_codes WHERE user_id = :userId AND used_at IS NULL',
      { userId },
    );
    return Number(row?.n ?? 0);
  }

  async createChallenge(challenge: MfaChallenge): Promise<void> {
    await this.exec(
      `INSERT INTO public.mfa_challenges (id, user_id, token_hash, created_at, expires_at)
       VALUES (:id, :userId, :tokenHash, :createdAt, :expiresAt)`,
      { ...challenge.toProps() },
    );
  }

  async findChallengeByHashForUpdate(tokenHash: string): Promise<MfaChallenge | null> {
    const [row] = await this.select<ChallengeRow>(
      'SELECT * FROM public.mfa_challenges WHERE token_hash = :tokenHash FOR UPDATE',
      { tokenHash },
    );
    return row
      ? MfaChallenge.restore({
          id: row.id,
          userId: row.user_id,
          tokenHash: row.token_hash,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        })
      : null;
  }

  async saveChallenge(challenge: MfaChallenge): Promise<void> {
    await this.exec('UPDATE public.mfa_challenges SET used_at = :usedAt WHERE id = :id', { ...challenge.toProps() });
  }

  async purgeChallenges(expiredBefore: Date): Promise<number> {
    const rows = await this.select<{ id: string }>(
      'DELETE FROM public.mfa_challenges WHERE expires_at < :expiredBefore RETURNING id',
      { expiredBefore },
    );
    return rows.length;
  }

  private async factor(sql: string, userId: string): Promise<TotpFactor | null> {
    const [row] = await this.select<FactorRow>(sql, { userId });
    if (!row) return null;
    return TotpFactor.restore({
      userId: row.user_id,
      secret: this.sealer.unseal(row.secret_sealed),
      enabledAt: row.enabled_at,
      lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
      createdAt: row.created_at,
    });
  }

  private async exec(sql: string, replacements: Record<string, unknown>): Promise<void> {
    await this.sequelize.query(sql, { replacements, transaction: UnitOfWork.current() });
  }

  private async select<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: UnitOfWork.current() });
  }
}
