/**
 * The small key-value port every module uses for shared state (membership and permission
 * caches, the token denylist). Redis when configured, process memory otherwise.
 */
export interface Cache {
  get<T>(key: string): Promise<T | null>;
  /** Several keys in one round trip, in order (null for each missing one). */
  getMany<T>(keys: string[]): Promise<(T | null)[]>;
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Atomically adds 1 and returns the new value; the key expires ttlSeconds after creation. */
  increment(key: string, ttlSeconds: number): Promise<number>;
}
