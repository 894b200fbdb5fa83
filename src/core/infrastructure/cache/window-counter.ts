import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface WindowCount {
  /** Requests counted in the window so far, this one included. */
  count: number;
  /** When the window started (epoch ms); it ends windowMs later. */
  windowStart: number;
}

/** Counts requests per key in fixed windows aligned on the epoch (rate limits). */
export interface WindowCounter {
  /** Adds n to the key's count in the current window. */
  add(key: string, n: number, windowMs: number): Promise<WindowCount>;
}

const windowOf = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs;

// INCRBY and the expiry of a new window in one command, one round trip.
const ADD_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return count`;

interface WithAdd {
  windowCounterAdd?(key: string, n: number, ttlMs: number): Promise<number>;
}

/** Shared by every instance using this Redis (and key prefix): one budget across the cluster. */
export class RedisWindowCounter implements WindowCounter {
  private readonly addScript: (key: string, n: number, ttlMs: number) => Promise<number>;

  constructor(
    redis: Redis,
    private readonly now: () => number = Date.now,
  ) {
    const scripted = redis as unknown as WithAdd;
    // Sent as EVALSHA (the script is loaded once per connection by ioredis).
    if (!scripted.windowCounterAdd) redis.defineCommand('windowCounterAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
    this.addScript = (key, n, ttlMs) => scripted.windowCounterAdd!(key, n, ttlMs);
  }

  async add(key: string, n: number, windowMs: number): Promise<WindowCount> {
    const windowStart = windowOf(this.now(), windowMs);
    // A second of slack: instances whose clocks differ a little still find the window's count.
    const count = await this.addScript(`${key}:${windowStart}`, n, windowMs + 1_000);
    return { count, windowStart };
  }
}

/** One process's counts (no Redis), forgotten once their window is over. */
export class MemoryWindowCounter implements WindowCounter {
  private readonly counts = new LRUCache<string, WindowCount>({ max: 100_000 });

  constructor(private readonly now: () => number = Date.now) {}

  add(key: string, n: number, windowMs: number): Promise<WindowCount> {
    const windowStart = windowOf(this.now(), windowMs);
    const entry = this.counts.get(key);
    const count = entry?.windowStart === windowStart ? entry.count + n : n;
    this.counts.set(key, { count, windowStart }, { ttl: windowMs });
    return Promise.resolve({ count, windowStart });
  }
}

interface Waiter {
  resolve(result: WindowCount): void;
  reject(err: unknown): void;
}

/**
 * The requests of one key that arrive while its previous add is in flight go together as one
 * add(n): under load, one round trip (and one Redis command) serves many requests instead of
 * one each. Each request still gets its own count, its place in the batch, so the limit is as
 * strict as with one add per request. An idle key's first request is sent at once.
 */
export class CoalescingWindowCounter implements WindowCounter {
  private readonly keys = new Map<string, Waiter[]>();

  constructor(private readonly inner: WindowCounter) {}

  add(key: string, n: number, windowMs: number): Promise<WindowCount> {
    if (n !== 1) return this.inner.add(key, n, windowMs);
    return new Promise((resolve, reject) => {
      const waiting = this.keys.get(key);
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      this.keys.set(key, []);
      this.send(key, [{ resolve, reject }], windowMs);
    });
  }

  private send(key: string, batch: Waiter[], windowMs: number): void {
    this.inner
      .add(key, batch.length, windowMs)
      .then(
        ({ count, windowStart }) =>
          batch.forEach((w, i) => w.resolve({ count: count - batch.length + 1 + i, windowStart })),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        const next = this.keys.get(key) ?? [];
        if (next.length === 0) {
          this.keys.delete(key);
          return;
        }
        this.keys.set(key, []);
        this.send(key, next, windowMs);
      });
  }
}
