import { randomUUID } from 'node:crypto';
import type { Cache } from './cache';
import type { NearCache, NearCacheStats } from './near-cache';

const VERSION_TTL_SECONDS = 7 * 86_400;
const versionKey = (scope: string) => `ver:${scope}`;

interface Stamped<T> {
  /** The versions of the entry's scopes when it was computed. */
  v: string;
  d: T;
}

export interface Decision<T> {
  /** The cached entry, if it is still current; null: compute it and `write` it. */
  value: T | null;
  /** The extra keys' values, in order: read with the shared entry only (empty on a near hit). */
  extras: unknown[];
  /** Where it was found, for the write that follows a miss. */
  readonly origin: { key: string; scopes: string[]; stamp: string; ticket: number; ttlSeconds: number };
}

/** Tells the other instances which scopes changed (Redis pub/sub). */
export interface InvalidationFeed {
  publish(scopes: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The decisions the request path takes (session liveness, membership, permissions), cached in
 * two layers:
 * - shared (Redis, or memory): versioned entries. An entry is stored with the versions of its
 *   scopes at the time it was computed; a change bumps a scope's version, so an entry written by
 *   a request that read the database just before the change no longer matches and is never used,
 *   which deleting the entry cannot guarantee. Versions, entry and extra keys come in one round trip.
 * - near (in process, optional): what the shared layer confirmed, kept until a bump of one of its
 *   scopes is heard over the invalidation feed. A hit costs no round trip at all.
 */
export class DecisionCache {
  constructor(
    private readonly shared: Cache,
    private readonly near: NearCache | null = null,
    private readonly feed: InvalidationFeed | null = null,
  ) {}

  async read<T>(
    key: string,
    scopes: string[],
    options: { ttlSeconds: number; extraKeys?: string[] },
  ): Promise<Decision<T>> {
    const ticket = this.near?.ticket() ?? 0;
    const near = this.near?.get<T>(key);
    if (near !== undefined)
      return { value: near, extras: [], origin: { key, scopes, stamp: '', ticket, ttlSeconds: 0 } };
    const extraKeys = options.extraKeys ?? [];
    const values = await this.shared.getMany<unknown>([...scopes.map(versionKey), key, ...extraKeys]);
    const stamp = scopes.map((_, i) => (values[i] as string | null) ?? '0').join('|');
    const stored = values[scopes.length] as Stamped<T> | null;
    const value = stored && stored.v === stamp ? stored.d : null;
    if (value !== null) this.near?.set(key, value, scopes, ticket, options.ttlSeconds);
    const origin = { key, scopes, stamp, ticket, ttlSeconds: options.ttlSeconds };
    return { value, extras: values.slice(scopes.length + 1), origin };
  }

  /** Stores what a miss computed, under the versions its read saw. */
  async write<T>(read: Decision<T>, value: T): Promise<void> {
    const { key, scopes, stamp, ticket, ttlSeconds } = read.origin;
    await this.shared.set<Stamped<T>>(key, { v: stamp, d: value }, ttlSeconds);
    this.near?.set(key, value, scopes, ticket, ttlSeconds);
  }

  /**
   * Every entry of these scopes stops being used: here at once, on other instances when the
   * feed delivers (pub/sub: typically well under a millisecond on one network).
   */
  async bump(...scopes: string[]): Promise<void> {
    if (scopes.length === 0) return;
    this.near?.invalidate(scopes);
    await Promise.all(scopes.map((scope) => this.shared.set(versionKey(scope), randomUUID(), VERSION_TTL_SECONDS)));
    // Again: a request here may have read the old version while it was being replaced.
    this.near?.invalidate(scopes);
    await this.feed?.publish(scopes);
  }

  /** The near layer's counters, or null without one. */
  stats(): NearCacheStats | null {
    return this.near?.stats() ?? null;
  }

  close(): Promise<void> {
    return this.feed?.close() ?? Promise.resolve();
  }
}
