import type { Logger } from '../../logger';
import type { EmailMessage, EmailTransport } from './email';
import { EmailQueue } from './email-queue';

const message: EmailMessage = { to: 'ada@example.com', subject: 'Hi', text: 't', html: '<p>t</p>' };
const logger = () =>
  ({ warn: jest.fn(), error: jest.fn() }) as unknown as Logger & { warn: jest.Mock; error: jest.Mock };

function flakyTransport(failures: number) {
  let calls = 0;
  const delivered: EmailMessage[] = [];
  const transport: EmailTransport = {
    deliver: async (m) => {
      calls += 1;
      if (calls <= failures) throw new Error(`smtp down (${calls})`);
      delivered.push(m);
    },
  };
  return { transport, delivered, calls: () => calls };
}

describe('EmailQueue', () => {
  test('when send is called, then it returns at once and the message is delivered in the background', async () => {
    const { transport, delivered } = flakyTransport(0);
    const queue = new EmailQueue(transport, logger());
    queue.send(message);
    expect(delivered).toEqual([]);
    await queue.drain(1000);
    expect(delivered).toEqual([message]);
  });

  test('when delivery fails, then it is retried with backoff until it succeeds', async () => {
    const { transport, delivered, calls } = flakyTransport(2);
    const log = logger();
    const queue = new EmailQueue(transport, log, { maxAttempts: 5, baseDelayMs: 10 });
    queue.send(message);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls()).toBe(3);
    expect(delivered).toEqual([message]);
    expect(log.warn).toHaveBeenCalledTimes(2);
    expect(queue.depth).toBe(0);
  });

  test('when every attempt fails, then it gives up after maxAttempts and logs an error', async () => {
    const { transport, calls } = flakyTransport(100);
    const log = logger();
    const queue = new EmailQueue(transport, log, { maxAttempts: 3, baseDelayMs: 5 });
    queue.send(message);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls()).toBe(3);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ attempt: 3 }), 'email delivery failed, giving up');
  });

  test('when drained while a retry is scheduled, then the retry is dropped and counted in the log', async () => {
    const { transport, calls } = flakyTransport(100);
    const log = logger();
    const queue = new EmailQueue(transport, log, { maxAttempts: 5, baseDelayMs: 10_000 });
    queue.send(message);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.depth).toBe(1);
    await queue.drain(100);
    expect(calls()).toBe(1);
    expect(queue.depth).toBe(0);
    expect(log.warn).toHaveBeenCalledWith({ dropped: 1 }, 'email retries dropped at shutdown');
  });
});
