import { LRUCache } from 'lru-cache';

interface Entry {
  value: unknown;
  scopes: string[];
}

/** What the near cache counts, read at scrape time. */
export interface NearCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  entries: number;
  /** 1 while entries are served (feed up, shared cache trusted), else 0. */
  live: number;
}

/**
 * An in-process layer in front of the shared (Redis) cache for the decisions every request
 * needs: session liveness, membership, permissions. It holds an entry only while it can hear
 * every invalidation: `setFeed(true)` once the invalidation channel is subscribed, `setFeed(false)`
 * as soon as it is lost, which forgets everything. `forget()` does the same after any shared
 * cache failure (the fail-soft rule: nothing cached is trusted once an invalidation may be lost).
 *
 * Races: a caller takes a `ticket()` before reading the shared cache, and `set` stores only if
 * no invalidation (and no reset) happened since. An entry computed from a state that a change
 * was replacing is then never stored; one stored just before the change's invalidation arrives
 * is deleted by it. The lag of a revocation on another instance is the pub/sub delivery time.
 */
export class NearCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly byScope = new Map<string, Set<string>>();
  private sequence = 0;
  private feedUp = false;
  private readonly counts = { hits: 0, misses: 0, invalidations: 0 };

  /** @param trusted false while the shared cache is distrusted after a failure: nothing is served or kept. */
  constructor(
    maxEntries: number,
    private readonly trusted: () => boolean = () => true,
  ) {
    this.entries = new LRUCache<string, Entry>({
      max: maxEntries,
      // Keeps the scope index exact whatever removes an entry: eviction, expiry, replacement, clear.
      dispose: (entry, key) => {
        for (const scope of entry.scopes) {
          const keys = this.byScope.get(scope);
          keys?.delete(key);
          if (keys?.size === 0) this.byScope.delete(scope);
        }
      },
    });
  }

  /** Whether entries may be served: the invalidation feed is up and the shared cache trusted. */
  get live(): boolean {
    return this.feedUp && this.trusted();
  }

  ticket(): number {
    return this.sequence;
  }

  get<T>(key: string): T | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.counts.misses += 1;
      return undefined;
    }
    this.counts.hits += 1;
    return entry.value as T;
  }

  set(key: string, value: unknown, scopes: string[], ticket: number, ttlSeconds: number): void {
    if (!this.live || ticket !== this.sequence) return;
    this.entries.set(key, { value, scopes }, { ttl: ttlSeconds * 1000 });
    for (const scope of scopes) {
      const keys = this.byScope.get(scope) ?? new Set<string>();
      keys.add(key);
      this.byScope.set(scope, keys);
    }
  }

  /** A change to these scopes, made here or heard from another instance. */
  invalidate(scopes: readonly string[]): void {
    this.sequence += 1;
    this.counts.invalidations += 1;
    for (const scope of scopes) {
      for (const key of [...(this.byScope.get(scope) ?? [])]) this.entries.delete(key);
    }
  }

  setFeed(up: boolean): void {
    this.forget();
    this.feedUp = up;
  }

  /** Drops every entry and refuses stores that started before. */
  forget(): void {
    this.sequence += 1;
    this.entries.clear();
  }

  stats(): NearCacheStats {
    return { ...this.counts, entries: this.entries.size, live: this.live ? 1 : 0 };
  }
}
