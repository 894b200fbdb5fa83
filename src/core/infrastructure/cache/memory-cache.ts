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
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value as T;
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.evictOldest();
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async delete(...keys: string[]): Promise<void> {
    keys.forEach((key) => this.entries.delete(key));
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const current = await this.get<number>(key);
    const next = (current ?? 0) + 1;
    const expiresAt = current === null ? this.now() + ttlSeconds * 1000 : this.entries.get(key)!.expiresAt;
    this.entries.set(key, { value: next, expiresAt });
    return next;
  }

  // Maps iterate in insertion order, so the first key is the oldest write.
  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
