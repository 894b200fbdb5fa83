import type { Logger } from '../../logger';
import type { EmailMessage, EmailTransport, Mailer } from './email';

interface Job {
  message: EmailMessage;
  attempt: number;
}

export interface EmailQueueOptions {
  maxAttempts: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
}

/**
 * In-process outbox: send() never blocks the request; failures are retried with exponential
 * backoff. It is not durable: messages still queued when the process dies are lost (ADR 0002).
 */
export class EmailQueue implements Mailer {
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly transport: EmailTransport,
    private readonly logger: Logger,
    private readonly options: EmailQueueOptions = { maxAttempts: 5, baseDelayMs: 1000 },
  ) {}

  send(message: EmailMessage): void {
    this.attempt({ message, attempt: 1 });
  }

  /** Messages being sent or waiting for a retry. */
  get depth(): number {
    return this.pending.size + this.timers.size;
  }

  /** Waits for in-flight deliveries (bounded), then drops scheduled retries. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.pending]).then(() => undefined), deadline]);
    this.timers.forEach((timer) => clearTimeout(timer));
    if (this.timers.size > 0) this.logger.warn({ dropped: this.timers.size }, 'email retries dropped at shutdown');
    this.timers.clear();
  }

  private attempt(job: Job): void {
    // Deferred, so nothing the transport does (or throws) runs inside the caller's request.
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.transport.deliver(job.message))
      .then(
        () => undefined,
        (err: Error) => this.retry(job, err),
      );
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  private retry(job: Job, err: Error): void {
    const log = { attempt: job.attempt, subject: job.message.subject, err: { message: err.message } };
    if (job.attempt >= this.options.maxAttempts) {
      this.logger.error(log, 'email delivery failed, giving up');
      return;
    }
    this.logger.warn(log, 'email delivery failed, retrying');
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.attempt({ message: job.message, attempt: job.attempt + 1 });
      },
      this.options.baseDelayMs * 2 ** (job.attempt - 1),
    );
    timer.unref();
    this.timers.add(timer);
  }
}
