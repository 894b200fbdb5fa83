import type { Logger } from '../../logger';
import type { Cache } from './cache';
import { FailSoftCache } from './fail-soft-cache';

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
});
