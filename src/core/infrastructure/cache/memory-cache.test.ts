import { MemoryCache } from './memory-cache';

describe('MemoryCache', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  test('when a value is set, then it is read back until its TTL passes', async () => {
    const cache = new MemoryCache(10, clock);
    await cache.set('k', { a: 1 }, 5);
    expect(await cache.get('k')).toEqual({ a: 1 });
    now += 4_999;
    expect(await cache.get('k')).toEqual({ a: 1 });
    now += 1;
    expect(await cache.get('k')).toBeNull();
  });

  test('when keys are deleted, then they are gone', async () => {
    const cache = new MemoryCache(10, clock);
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.delete('a', 'b');
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('b')).toBeNull();
  });

  test('when a counter is incremented, then it counts within its window and restarts after it', async () => {
    const cache = new MemoryCache(10, clock);
    expect(await cache.increment('c', 10)).toBe(1);
    now += 5_000;
    expect(await cache.increment('c', 10)).toBe(2);
    now += 5_000; // the window started at the first increment
    expect(await cache.increment('c', 10)).toBe(1);
  });

  test('when full, then the oldest entry is evicted', async () => {
    const cache = new MemoryCache(2, clock);
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.set('c', 3, 60);
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('c')).toBe(3);
  });
});
