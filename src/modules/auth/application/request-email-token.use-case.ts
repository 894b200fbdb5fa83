import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { Mailer } from '../../../core/infrastructure/email/email';
import type { JobContext, Outbox } from '../../../core/infrastructure/jobs/outbox';
import type { JobReceipts } from '../../../core/infrastructure/jobs/receipts';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { Email, USER_REPOSITORY, type User, type UserRepository } from '../../user/user.public';
import { EmailToken, type EmailTokenPurpose } from '../domain/email-token';
import type { EmailTokenRepository, TokenService } from '../domain/ports';
import { authEmails } from './auth-emails';
import { AUTH_SETTINGS, EMAIL_TOKEN_REPOSITORY, TOKEN_SERVICE, type AuthSettings } from './tokens';

export const emailInput = z.strictObject({ email: z.string().max(254).openapi({ example: 'ada@example.com' }) });
export type EmailInput = z.infer<typeof emailInput>;

export const EMAIL_TOKEN_JOB = 'auth.email-token';

/**
 * forgot-password and resend-verification: the answer is the same whether or not the account
 * exists. The request only enqueues a job (the same work for any address, so timing reveals
 * nothing, and durable, so an accepted request is never lost); the job does the
 * account-dependent part, once however often it runs.
 */
@Service()
export class RequestEmailToken {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(EMAIL_TOKEN_REPOSITORY) private readonly emailTokens: EmailTokenRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.mailer) private readonly mailer: Mailer,
    @Inject(TOKENS.jobs) private readonly outbox: Outbox,
    @Inject(TOKENS.receipts) private readonly receipts: Pick<JobReceipts, 'claim'>,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(input: EmailInput & { purpose: EmailTokenPurpose }): Promise<void> {
    let email: Email;
    try {
      email = Email.create(input.email);
    } catch {
      // No account has a malformed address: nothing to do, and saying so reveals no account.
      return;
    }
    await this.outbox.enqueue({ type: EMAIL_TOKEN_JOB, data: { email: email.value, purpose: input.purpose } });
  }

  /** The job: a token and its email, in one transaction, for an eligible account only. */
  async issue(input: { email: string; purpose: EmailTokenPurpose }, job: JobContext): Promise<void> {
    const { purpose } = input;
    const email = Email.create(input.email);
    const user = await this.users.findByEmail(email);
    if (!user || !this.eligible(user, purpose)) return;
    const now = this.clock.now();
    const { secret, hash } = this.tokens.mintSecret(purpose === 'verify_email' ? 'ev' : 'pr');
    const ttlSeconds =
      purpose === 'verify_email' ? this.settings.verifyEmailTtlSeconds : this.settings.resetPasswordTtlSeconds;
    await this.tx.run(async () => {
      if (!(await this.receipts.claim(job, EMAIL_TOKEN_JOB))) return;
      await this.emailTokens.replace(
        EmailToken.issue({ id: randomUUID(), userId: user.id, purpose, tokenHash: hash, now, ttlSeconds }),
      );
      const action = purpose === 'verify_email' ? 'auth.verification.resent' : 'auth.password.reset_requested';
      await this.audit.record({ action, actorId: user.id, targetType: 'user', targetId: user.id });
      const token = encodeURIComponent(secret);
      await this.mailer.send(
        purpose === 'verify_email'
          ? authEmails.verify(email.value, user.name, `${this.settings.frontendUrl}/verify-email?token=${token}`)
          : authEmails.reset(email.value, user.name, `${this.settings.frontendUrl}/reset-password?token=${token}`),
      );
    });
  }

  private eligible(user: User, purpose: EmailTokenPurpose): boolean {
    if (purpose === 'verify_email') return !user.isVerified;
    return user.status !== 'banned';
  }
}
