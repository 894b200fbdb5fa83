import { randomUUID } from 'node:crypto';
import type { Cache } from './cache';

const VERSION_TTL_SECONDS = 7 * 86_400;
const key = (scope: string) => `ver:${scope}`;

/**
 * Versioned cache keys: readers put the scope's current version into their entry's key; a
 * change bumps the version. An entry written by a request that read the database just before the
 * change is then simply never read again, which deleting the entry cannot guarantee.
 */
export async function cacheVersion(cache: Cache, scope: string): Promise<string> {
  return (await cache.get<string>(key(scope))) ?? '0';
}

export async function bumpCacheVersion(cache: Cache, ...scopes: string[]): Promise<void> {
  await Promise.all(scopes.map((scope) => cache.set(key(scope), randomUUID(), VERSION_TTL_SECONDS)));
}
