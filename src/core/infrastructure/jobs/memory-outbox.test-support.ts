import { randomUUID } from 'node:crypto';
import type { Job, JobHandler, JobRegistry, Outbox } from './outbox';

/** The outbox for unit tests: jobs wait in memory until `runAll`, which runs them like a worker (JSON round trip included). */
export class MemoryOutbox implements Outbox, JobRegistry {
  readonly queued: (Job & { id: string })[] = [];
  private readonly handlers = new Map<string, JobHandler>();

  handle<T>(type: string, handler: JobHandler<T>): void {
    this.handlers.set(type, handler as JobHandler);
  }

  every(): void {}

  async enqueue(...jobs: Job[]): Promise<void> {
    this.queued.push(...jobs.map((job) => ({ ...job, id: job.id ?? randomUUID() })));
  }

  /** Runs queued jobs (and those they enqueue) until none is left; returns how many ran. */
  async runAll(): Promise<number> {
    let ran = 0;
    while (this.queued.length > 0) {
      const job = this.queued.shift()!;
      const handler = this.handlers.get(job.type);
      if (!handler) throw new Error(`no handler for ${job.type}`);
      await handler(JSON.parse(JSON.stringify(job.data)), { id: job.id, attempt: 1 });
      ran += 1;
    }
    return ran;
  }

  types(): string[] {
    return this.queued.map((job) => job.type);
  }
}
