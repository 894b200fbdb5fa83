import type { Cache } from './cache';

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** Single-process stand-in for Redis: fine for one instance, not shared across several. */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get<T>(key: string): Promise<T | null> {
    return (this.live(key)?.value as T | undefined) ?? null;
  }

  async getMany<T>(keys: string[]): Promise<(T | null)[]> {
    return keys.map((key) => (this.live(key)?.value as T | undefined) ?? null);
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.evictOldest();
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async delete(...keys: string[]): Promise<void> {
    keys.forEach((key) => this.entries.delete(key));
  }

  // No await between read and write: concurrent increments cannot interleave and lose counts.
  async increment(key: string, ttlSeconds: number): Promise<number> {
    const entry = this.live(key);
    const next = ((entry?.value as number | undefined) ?? 0) + 1;
    this.entries.set(key, { value: next, expiresAt: entry?.expiresAt ?? this.now() + ttlSeconds * 1000 });
    return next;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // Maps iterate in insertion order, so the first key is the oldest write.
  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
