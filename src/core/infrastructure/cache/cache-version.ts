import { randomUUID } from 'node:crypto';
import type { Cache } from './cache';

const VERSION_TTL_SECONDS = 7 * 86_400;
const versionKey = (scope: string) => `ver:${scope}`;

interface Stamped<T> {
  /** The versions of the entry's scopes when it was computed. */
  v: string;
  d: T;
}

export interface VersionedRead<T> {
  /** The entry, if it was computed under the scopes' current versions. */
  value: T | null;
  /** The current versions, to store with a freshly computed entry. */
  stamp: string;
  /** The extra keys' values, in order. */
  extras: unknown[];
}

/**
 * Versioned cache entries. An entry is stored with the versions of its scopes at the time it was
 * computed; a change bumps a scope's version. An entry written by a request that read the
 * database just before the change no longer matches and is never used, which deleting the entry
 * cannot guarantee. The versions, the entry and any extra keys are read in one round trip.
 */
export async function readVersioned<T>(
  cache: Cache,
  key: string,
  scopes: string[],
  extraKeys: string[] = [],
): Promise<VersionedRead<T>> {
  const values = await cache.getMany<unknown>([...scopes.map(versionKey), key, ...extraKeys]);
  const stamp = scopes.map((_, i) => (values[i] as string | null) ?? '0').join('|');
  const stored = values[scopes.length] as Stamped<T> | null;
  return { value: stored && stored.v === stamp ? stored.d : null, stamp, extras: values.slice(scopes.length + 1) };
}

export function writeVersioned<T>(
  cache: Cache,
  key: string,
  value: T,
  stamp: string,
  ttlSeconds: number,
): Promise<void> {
  return cache.set<Stamped<T>>(key, { v: stamp, d: value }, ttlSeconds);
}

export async function bumpCacheVersion(cache: Cache, ...scopes: string[]): Promise<void> {
  await Promise.all(scopes.map((scope) => cache.set(versionKey(scope), randomUUID(), VERSION_TTL_SECONDS)));
}
