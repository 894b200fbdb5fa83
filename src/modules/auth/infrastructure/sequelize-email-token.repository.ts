import { QueryTypes, type Sequelize } from 'sequelize';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import { EmailToken, type EmailTokenPurpose } from '../domain/email-token';
import type { EmailTokenRepository } from '../domain/ports';

interface Row {
  id: string;
  user_id: string;
  purpose: EmailTokenPurpose;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  new_email: string | null;
}

export class SequelizeEmailTokenRepository implements EmailTokenRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async replace(token: EmailToken): Promise<void> {
    const t = token.toProps();
    const transaction = UnitOfWork.current();
    // Only the newest link works: an older unused one is retired when a new one is sent.
    await this.sequelize.query(
      `UPDATE public.email_tokens SET used_at = now() WHERE user_id = :userId AND purpose = :purpose AND used_at IS NULL`,
      { replacements: t, transaction },
    );
    await this.sequelize.query(
      `INSERT INTO public.email_tokens (id, user_id, purpose, token_hash, expires_at, new_email)
       VALUES (:id, :userId, :purpose, :tokenHash, :expiresAt, :newEmail)`,
      { replacements: t, transaction },
    );
  }

  async findByHashForUpdate(purpose: EmailTokenPurpose, tokenHash: string): Promise<EmailToken | null> {
    const rows = await this.sequelize.query<Row>(
      'SELECT * FROM public.email_tokens WHERE purpose = :purpose AND token_hash = :tokenHash FOR UPDATE',
      { replacements: { purpose, tokenHash }, type: QueryTypes.SELECT, transaction: UnitOfWork.current() },
    );
    const r = rows[0];
    return r
      ? EmailToken.restore({
          id: r.id,
          userId: r.user_id,
          purpose: r.purpose,
          tokenHash: r.token_hash,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
          newEmail: r.new_email,
        })
      : null;
  }

  async save(token: EmailToken): Promise<void> {
    await this.sequelize.query('UPDATE public.email_tokens SET used_at = :usedAt WHERE id = :id', {
      replacements: { ...token.toProps() },
      transaction: UnitOfWork.current(),
    });
  }

  async purgeSpent(before: Date): Promise<number> {
    const rows = await this.sequelize.query(
      'DELETE FROM public.email_tokens WHERE used_at < :before OR expires_at < :before RETURNING id',
      { replacements: { before }, type: QueryTypes.SELECT, transaction: UnitOfWork.current() },
    );
    return rows.length;
  }

  async retireAll(userId: string): Promise<void> {
    await this.sequelize.query(
      'UPDATE public.email_tokens SET used_at = now() WHERE user_id = :userId AND used_at IS NULL',
      {
        replacements: { userId },
        transaction: UnitOfWork.current(),
      },
    );
  }
}
