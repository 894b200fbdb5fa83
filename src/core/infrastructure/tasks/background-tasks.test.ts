import type { Logger } from '../../logger';
import { BackgroundTasks } from './background-tasks';

describe('BackgroundTasks', () => {
  test('when a task is run, then it starts after the current call and drain waits for it', async () => {
    const tasks = new BackgroundTasks({ error: jest.fn() } as unknown as Logger);
    const order: string[] = [];
    tasks.run('t', async () => {
      order.push('task');
    });
    order.push('caller');
    await tasks.drain(1000);
    expect(order).toEqual(['caller', 'task']);
  });

  test('when a task fails, then the failure is logged and nothing is thrown', async () => {
    const error = jest.fn();
    const tasks = new BackgroundTasks({ error } as unknown as Logger);
    tasks.run('broken', async () => {
      throw new Error('boom');
    });
    await tasks.drain(1000);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ task: 'broken' }), 'background task failed');
  });

  test('when a task outlives the drain bound, then drain returns anyway', async () => {
    const tasks = new BackgroundTasks({ error: jest.fn() } as unknown as Logger);
    tasks.run('slow', () => new Promise((resolve) => setTimeout(resolve, 5000).unref()));
    const started = Date.now();
    await tasks.drain(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
