import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Cache } from '../../src/core/infrastructure/cache/cache';
import { DecisionCache } from '../../src/core/infrastructure/cache/decision-cache';
import { MemoryCache } from '../../src/core/infrastructure/cache/memory-cache';
import { closeRedis, connectRedis } from '../../src/core/infrastructure/cache/redis';
import { RedisCache } from '../../src/core/infrastructure/cache/redis-cache';
import { createLogger } from '../../src/core/logger';
import { testRedisUrl } from '../support/test-server';

// One contract, every adapter: code using the Cache port must not notice which one it has.
const adapters: [string, () => Promise<{ cache: Cache; close: () => Promise<void> }>][] = [
  ['memory', async () => ({ cache: new MemoryCache(), close: async () => undefined })],
];
const redisUrl = testRedisUrl();
if (redisUrl) {
  adapters.push([
    'redis',
    async () => {
      const logger = createLogger({ env: 'test', log: { level: 'silent' } });
      const redis: Redis = await connectRedis({ url: redisUrl, keyPrefix: `test:${randomUUID()}:` }, logger);
      return { cache: new RedisCache(redis), close: () => closeRedis(redis) };
    },
  ]);
}

describe.each(adapters)('Cache contract: %s', (_name, make) => {
  let cache: Cache;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ cache, close } = await make());
  });
  afterAll(() => close());

  test('when a JSON value is set, then it reads back equal; a missing key reads null', async () => {
    await cache.set('member:1', { roles: ['admin'], active: true }, 60);
    expect(await cache.get('member:1')).toEqual({ roles: ['admin'], active: true });
    expect(await cache.get('member:none')).toBeNull();
  });

  test('when several keys are read at once, then values come back in order, null for missing ones', async () => {
    await cache.set('many:a', { n: 1 }, 60);
    await cache.set('many:c', 'three', 60);
    expect(await cache.getMany(['many:a', 'many:b', 'many:c'])).toEqual([{ n: 1 }, null, 'three']);
    expect(await cache.getMany([])).toEqual([]);
  });

  test('when a versioned entry’s scope is bumped, then the entry is no longer read, in one round trip with extras', async () => {
    const decisions = new DecisionCache(cache);
    const read = (extraKeys: string[] = []) =>
      decisions.read<string[]>('v:entry', ['v:scope'], { ttlSeconds: 60, extraKeys });
    await decisions.write(await read(), ['x']);
    await cache.set('v:extra', true, 60);
    expect(await read(['v:extra'])).toMatchObject({ value: ['x'], extras: [true] });
    await decisions.bump('v:scope');
    expect((await read()).value).toBeNull();
  });

  test('when keys are deleted, then they read null', async () => {
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.delete('a', 'b');
    await cache.delete();
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('b')).toBeNull();
  });

  test('when a value outlives its TTL, then it is gone', async () => {
    await cache.set('short', 'x', 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await cache.get('short')).toBeNull();
  });

  test('when a counter is incremented concurrently, then no increment is lost', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.increment('counter', 60)));
    expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
