import type { Logger } from '../../logger';
import type { Cache } from './cache';
import { FailSoftCache } from './fail-soft-cache';
import { MemoryCache } from './memory-cache';

const down = new Error('Stream isn\u2019t writeable');
const broken: Cache = {
  get: () => Promise.reject(down),
  getMany: () => Promise.reject(down),
  set: () => Promise.reject(down),
  delete: () => Promise.reject(down),
  increment: () => Promise.reject(down),
};

describe('FailSoftCache', () => {
  test('when the store fails, then reads are misses, writes are dropped, counters still fail, and one warning is logged', async () => {
    const warn = jest.fn();
    const cache = new FailSoftCache(broken, { warn } as unknown as Logger);

    expect(await cache.get('a')).toBeNull();
    expect(await cache.getMany(['a', 'b'])).toEqual([null, null]);
    await expect(cache.set('a', 1, 60)).resolves.toBeUndefined();
    await expect(cache.delete('a')).resolves.toBeUndefined();
    await expect(cache.increment('a', 60)).rejects.toBe(down);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test('when a write fails while reads work (an invalidation may be lost), then nothing cached is trusted for five minutes', async () => {
    let now = 0;
    const store = new MemoryCache(1000, () => now);
    await store.set('entry', 'stale decision', 600);
    let writesFail = false;
    const flaky: Cache = {
      ...store,
      get: (k) => store.get(k),
      getMany: (k) => store.getMany(k),
      delete: (...k) => store.delete(...k),
      increment: (k, t) => store.increment(k, t),
      set: (k, v, t) => (writesFail ? Promise.reject(down) : store.set(k, v, t)),
    };
    const cache = new FailSoftCache(flaky, { warn: jest.fn() } as unknown as Logger, () => now);
    expect(await cache.get('entry')).toBe('stale decision');

    writesFail = true;
    await cache.set('ver:scope', 'bumped', 60); // the bump is lost
    expect(await cache.get('entry')).toBeNull();
    now += 299_000;
    expect(await cache.get('entry')).toBeNull();
    now += 2_000;
    expect(await cache.get('entry')).toBe('stale decision');
  });
});
