/** What a job handler knows of its run: the job's id (stable across retries) and which attempt this is. */
export interface JobContext {
  id: string;
  attempt: number;
}

export type JobHandler<T = unknown> = (data: T, context: JobContext) => Promise<void>;

export interface Job {
  /** The handler's registered name, e.g. `email.deliver`. */
  type: string;
  data: object;
  /** A caller-chosen id (uuid): enqueueing the same id twice keeps one job. */
  id?: string;
  /** Not run before this time (a handler's own retry schedule, such as a webhook's backoff). */
  startAfter?: Date;
}

/**
 * The durable outbox every side effect goes through. A job enqueued inside a unit of work is
 * written by that transaction: a rollback enqueues nothing, a commit can never lose it. Workers
 * (in this process with WORKERS=inline, or `npm run worker`) run it at least once, retried with
 * backoff, then dead-lettered; handlers make a second run harmless (their JobContext id is the key).
 */
export interface Outbox {
  enqueue(...jobs: Job[]): Promise<void>;
}

/** Where handlers are registered (by modules, at start-up) and periodic jobs declared. */
export interface JobRegistry {
  handle<T>(type: string, handler: JobHandler<T>): void;
  /** A job run on a cron schedule (UTC) by one worker of the deployment. */
  every(type: string, cron: string, handler: JobHandler<Record<string, never>>): void;
}

/** Raised by a handler for a job that no retry can fix: it goes to the dead letters at once. */
export class PermanentJobError extends Error {
  readonly permanent = true;
}
