import { PermanentJobError } from '../jobs/outbox';
import { MemoryOutbox } from '../jobs/memory-outbox.test-support';
import type { JobReceipts } from '../jobs/receipts';
import type { EmailMessage, EmailTransport } from './email';
import { emailDeliveryHandler, emailSealer, EMAIL_JOB, OutboxMailer } from './outbox-mailer';

const SECRET = 'refresh-secret-for-the-outbox-mailer-test-0123';
const message: EmailMessage = {
  to: 'ada@example.com',
  subject: 'Reset your password',
  text: 'http://app.test/reset-password?token=pr_secret_token',
  html: '<a href="http://app.test/reset-password?token=pr_secret_token">reset</a>',
};

/** Receipts as the database keeps them: the first claim of a job wins. */
const receipts = () => {
  const done = new Set<string>();
  return {
    once: async (job: { id: string }, effect: string, work: () => Promise<void>) => {
      if (done.has(`${job.id}:${effect}`)) return false;
      await work();
      done.add(`${job.id}:${effect}`);
      return true;
    },
  } as unknown as JobReceipts;
};

function setup(workerSecret = SECRET) {
  const outbox = new MemoryOutbox();
  const delivered: { message: EmailMessage; id: string }[] = [];
  const transport: EmailTransport = { deliver: async (m, { id }) => void delivered.push({ message: m, id }) };
  outbox.handle(EMAIL_JOB, emailDeliveryHandler(receipts(), transport, emailSealer(workerSecret)));
  return { outbox, delivered, mailer: new OutboxMailer(outbox, emailSealer(SECRET)) };
}

describe('OutboxMailer', () => {
  test('when a message is sent, then only a sealed job is queued: its link token is nowhere in clear', async () => {
    const { outbox, mailer, delivered } = setup();
    await mailer.send(message);
    expect(outbox.types()).toEqual([EMAIL_JOB]);
    expect(JSON.stringify(outbox.queued)).not.toContain('pr_secret_token');
    expect(JSON.stringify(outbox.queued)).not.toContain('ada@example.com');
    expect(delivered).toEqual([]);
  });

  test('when the job runs, then the message is delivered whole, with the job id as its Message-ID key', async () => {
    const { outbox, mailer, delivered } = setup();
    await mailer.send(message);
    const { id } = outbox.queued[0]!;
    await outbox.runAll();
    expect(delivered).toEqual([{ message, id }]);
  });

  test('when the worker holds another secret, then the job fails permanently (no retry can unseal it)', async () => {
    const { outbox, mailer } = setup('another-refresh-secret-for-the-test-0123456');
    await mailer.send(message);
    await expect(outbox.runAll()).rejects.toBeInstanceOf(PermanentJobError);
  });
});
