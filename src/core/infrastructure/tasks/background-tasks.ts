import type { Logger } from '../../logger';

/**
 * Work that must not delay or fail the response (e.g. the account-dependent part of
 * forgot-password, so both answers take the same time). Failures are logged; stop() waits
 * for what is running, within a bound.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<void>): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => this.logger.error({ err, task: name }, 'background task failed'));
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.running]).then(() => undefined), deadline]);
  }
}
