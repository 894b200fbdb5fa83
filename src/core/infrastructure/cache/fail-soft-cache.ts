import type { Logger } from '../../logger';
import type { Cache } from './cache';

/**
 * How long cached decisions are distrusted after any cache failure: the longest TTL of a
 * versioned entry (permissions, 300 s). A failed write may have been a version bump or a
 * denylist entry, so until every entry written before it has expired, none is trusted.
 */
const DISTRUST_MS = 300_000;

/**
 * The degraded mode of a shared cache that stopped answering (Redis down, or refusing writes):
 * reads are misses, so every decision is taken from the database; writes are dropped. After any
 * failure, reads stay misses for DISTRUST_MS, so an invalidation that could not be written can
 * never be outlived by an entry it should have invalidated. Counters (rate limits) still fail,
 * and their callers choose (they let the request through).
 */
export class FailSoftCache implements Cache {
  private lastWarning = 0;
  private distrustUntil = 0;

  constructor(
    private readonly inner: Cache,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** Told of every failure: layers above (the near cache) must distrust what they hold too. */
    private readonly onFailure: () => void = () => undefined,
  ) {}

  async get<T>(key: string): Promise<T | null> {
    return (await this.getMany<T>([key]))[0] ?? null;
  }

  async getMany<T>(keys: string[]): Promise<(T | null)[]> {
    const misses = keys.map(() => null);
    if (this.now() < this.distrustUntil) return misses;
    try {
      return await this.inner.getMany<T>(keys);
    } catch (err) {
      this.failed(err);
      return misses;
    }
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    await this.inner.set(key, value, ttlSeconds).catch((err: unknown) => this.failed(err));
  }

  async delete(...keys: string[]): Promise<void> {
    await this.inner.delete(...keys).catch((err: unknown) => this.failed(err));
  }

  increment(key: string, ttlSeconds: number): Promise<number> {
    return this.inner.increment(key, ttlSeconds);
  }

  /** False while cached decisions are distrusted after a failure. */
  get trusted(): boolean {
    return this.now() >= this.distrustUntil;
  }

  private failed(err: unknown): void {
    const now = this.now();
    this.distrustUntil = now + DISTRUST_MS;
    this.onFailure();
    // One line per ten seconds at most: an outage must not flood the log.
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn(
      { err: { message: (err as Error).message } },
      'cache unavailable: serving from the database (cached decisions distrusted for 5 min)',
    );
  }
}
