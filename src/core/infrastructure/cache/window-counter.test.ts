import { CoalescingWindowCounter, MemoryWindowCounter, type WindowCount, type WindowCounter } from './window-counter';

const MINUTE = 60_000;

describe('MemoryWindowCounter', () => {
  test('when requests fall in one window, then they add up; in the next window the count starts again', async () => {
    let now = 10 * MINUTE + 5_000;
    const counter = new MemoryWindowCounter(() => now);

    const first = await counter.add('ip:a', 1, MINUTE);
    const second = await counter.add('ip:a', 2, MINUTE);
    const other = await counter.add('ip:b', 1, MINUTE);
    now += MINUTE;
    const next = await counter.add('ip:a', 1, MINUTE);

    expect([first, second, other]).toEqual([
      { count: 1, windowStart: 10 * MINUTE },
      { count: 3, windowStart: 10 * MINUTE },
      { count: 1, windowStart: 10 * MINUTE },
    ]);
    expect(next).toEqual({ count: 1, windowStart: 11 * MINUTE });
  });
});

/** A store whose adds resolve only when the test says so. */
function manualStore() {
  const calls: { key: string; n: number; settle(result: WindowCount | Error): void }[] = [];
  let total = 0;
  const store: WindowCounter = {
    add: (key, n) =>
      new Promise((resolve, reject) => {
        calls.push({
          key,
          n,
          settle: (result) => (result instanceof Error ? reject(result) : resolve(result)),
        });
      }),
  };
  const answer = (i: number) => {
    total += calls[i]!.n;
    calls[i]!.settle({ count: total, windowStart: 0 });
  };
  return { store, calls, answer };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingWindowCounter', () => {
  test('when requests of one key arrive while an add is in flight, then they go as one add and each gets its own place', async () => {
    const { store, calls, answer } = manualStore();
    const counter = new CoalescingWindowCounter(store);

    const results = [1, 2, 3, 4, 5].map(() => counter.add('ip:a', 1, MINUTE));
    await tick();
    expect(calls.map((c) => c.n)).toEqual([1]);
    answer(0);
    await tick();
    expect(calls.map((c) => c.n)).toEqual([1, 4]);
    answer(1);

    expect((await Promise.all(results)).map((r) => r.count)).toEqual([1, 2, 3, 4, 5]);
  });

  test('when keys differ, then each is sent at once, apart', async () => {
    const { store, calls } = manualStore();
    const counter = new CoalescingWindowCounter(store);

    void counter.add('ip:a', 1, MINUTE);
    void counter.add('ip:b', 1, MINUTE);
    await tick();

    expect(calls.map((c) => [c.key, c.n])).toEqual([
      ['ip:a', 1],
      ['ip:b', 1],
    ]);
  });

  test('when the store fails, then every request of that batch fails, and the next batch is still sent', async () => {
    const { store, calls, answer } = manualStore();
    const counter = new CoalescingWindowCounter(store);

    const first = counter.add('ip:a', 1, MINUTE);
    const queued = [counter.add('ip:a', 1, MINUTE), counter.add('ip:a', 1, MINUTE)];
    await tick();
    calls[0]!.settle(new Error('redis down'));
    await expect(first).rejects.toThrow('redis down');
    await tick();
    answer(1);

    expect((await Promise.all(queued)).map((r) => r.count)).toEqual([1, 2]);
  });
});
