import { DecisionCache } from './decision-cache';
import { MemoryCache } from './memory-cache';
import { NearCache } from './near-cache';

const live = (max = 10, trusted = () => true) => {
  const near = new NearCache(max, trusted);
  near.setFeed(true);
  return near;
};

describe('NearCache', () => {
  test('when the invalidation feed is not up, then nothing is stored or served', () => {
    const near = new NearCache(10);
    near.set('k', 1, ['s'], near.ticket(), 60);
    expect(near.get('k')).toBeUndefined();
    near.setFeed(true);
    expect(near.get('k')).toBeUndefined();
  });

  test('when a scope is invalidated, then every entry of that scope goes and the others stay', () => {
    const near = live();
    near.set('a', 'A', ['s1', 'shared'], near.ticket(), 60);
    near.set('b', 'B', ['s2', 'shared'], near.ticket(), 60);
    near.set('c', 'C', ['s3'], near.ticket(), 60);

    near.invalidate(['shared']);

    expect([near.get('a'), near.get('b'), near.get('c')]).toEqual([undefined, undefined, 'C']);
  });

  test('when an invalidation happens between a ticket and its store, then the store is refused', () => {
    const near = live();
    const ticket = near.ticket();
    near.invalidate(['unrelated']);
    near.set('k', 'computed before the change', ['s'], ticket, 60);
    expect(near.get('k')).toBeUndefined();
  });

  test('when the feed drops, then everything is forgotten, also once it is back', () => {
    const near = live();
    near.set('k', 1, ['s'], near.ticket(), 60);
    const ticket = near.ticket();
    near.setFeed(false);
    near.setFeed(true);
    near.set('late', 1, ['s'], ticket, 60);
    expect([near.get('k'), near.get('late')]).toEqual([undefined, undefined]);
  });

  test('when the shared cache is distrusted, then nothing is served or stored', () => {
    let trusted = true;
    const near = live(10, () => trusted);
    near.set('k', 1, ['s'], near.ticket(), 60);
    trusted = false;
    expect(near.get('k')).toBeUndefined();
    near.set('other', 1, ['s'], near.ticket(), 60);
    trusted = true;
    expect(near.get('other')).toBeUndefined();
  });

  test('when more entries arrive than it holds, then the least recently used go and their scope index with them', () => {
    const near = live(2);
    near.set('a', 1, ['s'], near.ticket(), 60);
    near.set('b', 2, ['s'], near.ticket(), 60);
    near.get('a');
    near.set('c', 3, ['t'], near.ticket(), 60);
    expect([near.get('a'), near.get('b'), near.get('c')]).toEqual([1, undefined, 3]);
    near.invalidate(['s']);
    expect(near.stats()).toMatchObject({ entries: 1 });
  });
});

describe('DecisionCache with a near layer', () => {
  const setup = () => {
    const shared = new MemoryCache();
    const near = live();
    return { shared, near, decisions: new DecisionCache(shared, near) };
  };
  const read = (decisions: DecisionCache) => decisions.read<string>('entry', ['scope'], { ttlSeconds: 60 });

  test('when an entry is written, then the next read is served in process without touching the shared cache', async () => {
    const { shared, decisions } = setup();
    await decisions.write(await read(decisions), 'v1');
    const getMany = jest.spyOn(shared, 'getMany');
    expect((await read(decisions)).value).toBe('v1');
    expect(getMany).not.toHaveBeenCalled();
  });

  test('when a scope is bumped, then the entry is gone from both layers', async () => {
    const { decisions } = setup();
    await decisions.write(await read(decisions), 'v1');
    await decisions.bump('scope');
    expect((await read(decisions)).value).toBeNull();
  });

  test('when a request computed its entry from the state a bump replaced, then its write is used by no one', async () => {
    const { decisions } = setup();
    const before = await read(decisions);
    await decisions.bump('scope');
    await decisions.write(before, 'stale');
    expect((await read(decisions)).value).toBeNull();
  });

  test('when another instance wrote an entry, then it is found in the shared layer and kept in process', async () => {
    const { shared, near, decisions } = setup();
    const other = new DecisionCache(shared);
    await other.write(await read(other), 'from elsewhere');
    expect((await read(decisions)).value).toBe('from elsewhere');
    expect(near.get('entry')).toBe('from elsewhere');
  });
});
