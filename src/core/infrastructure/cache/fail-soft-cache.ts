import type { Logger } from '../../logger';
import type { Cache } from './cache';

/**
 * The degraded mode of a shared cache that stopped answering (Redis down): reads are misses, so
 * every decision is taken from the database; writes are dropped. Requests keep being served, a
 * little slower; readiness reports the outage. Counters (rate limits) still fail, so their
 * callers choose (they let the request through).
 */
export class FailSoftCache implements Cache {
  private lastWarning = 0;

  constructor(
    private readonly inner: Cache,
    private readonly logger: Logger,
  ) {}

  async get<T>(key: string): Promise<T | null> {
    return (await this.getMany<T>([key]))[0] ?? null;
  }

  async getMany<T>(keys: string[]): Promise<(T | null)[]> {
    try {
      return await this.inner.getMany<T>(keys);
    } catch (err) {
      this.warn(err);
      return keys.map(() => null);
    }
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    await this.inner.set(key, value, ttlSeconds).catch((err: unknown) => this.warn(err));
  }

  async delete(...keys: string[]): Promise<void> {
    await this.inner.delete(...keys).catch((err: unknown) => this.warn(err));
  }

  increment(key: string, ttlSeconds: number): Promise<number> {
    return this.inner.increment(key, ttlSeconds);
  }

  /** One line per ten seconds at most: an outage must not flood the log. */
  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn({ err: { message: (err as Error).message } }, 'cache unavailable: serving from the database');
  }
}
