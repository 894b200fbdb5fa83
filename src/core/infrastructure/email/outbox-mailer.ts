import { Sealer } from '../../utils/sealer';
import { PermanentJobError, type JobHandler, type Outbox } from '../jobs/outbox';
import type { JobReceipts } from '../jobs/receipts';
import type { EmailMessage, EmailTransport, Mailer } from './email';

export const EMAIL_JOB = 'email.deliver';

interface SealedEmail {
  /** The whole message, sealed: its links carry one-time tokens, which never rest in clear. */
  sealed: string;
}

/** The outbox key of messages; derived from REFRESH_TOKEN_SECRET (a rotation strands queued mail). */
export function emailSealer(secret: string): Sealer {
  return Sealer.fromSecret(secret, 'outbox-email');
}

export class OutboxMailer implements Mailer {
  constructor(
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    await this.outbox.enqueue({ type: EMAIL_JOB, data: { sealed: this.sealer.seal(JSON.stringify(message)) } });
  }
}

/**
 * The worker side: the receipt of the job is claimed in the transaction that then sends, so a
 * second run of the job sends nothing; a failed send rolls the receipt back and the job is
 * retried. What remains is the moment between the relay's acceptance and COMMIT, where a crash
 * can send one message twice; its Message-ID (the job id) lets the receiving side drop the copy.
 */
export function emailDeliveryHandler(
  receipts: JobReceipts,
  transport: EmailTransport,
  sealer: Sealer,
): JobHandler<SealedEmail> {
  return async ({ sealed }, job) => {
    let message: EmailMessage;
    try {
      message = JSON.parse(sealer.unseal(sealed)) as EmailMessage;
    } catch {
      throw new PermanentJobError('the message cannot be unsealed: it was queued under another REFRESH_TOKEN_SECRET');
    }
    await receipts.once(job, EMAIL_JOB, () => transport.deliver(message, { id: job.id }));
  };
}
