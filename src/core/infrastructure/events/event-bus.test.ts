import { requestContext } from '../../context/request-context';
import type { Logger } from '../../logger';
import { domainEvent, EventBus, type DomainEvent } from './event-bus';

type Joined = DomainEvent<'MemberJoined', { userId: string }>;

function fakeLogger() {
  return { error: jest.fn() } as unknown as Logger & { error: jest.Mock };
}

describe('EventBus', () => {
  test('when an event is published, then every subscriber of that name receives it', async () => {
    const bus = new EventBus(fakeLogger());
    const a = jest.fn();
    const b = jest.fn();
    const other = jest.fn();
    bus.subscribe<Joined>('MemberJoined', a);
    bus.subscribe<Joined>('MemberJoined', b);
    bus.subscribe('MemberRemoved', other);

    const event = domainEvent('MemberJoined', { userId: 'u1' });
    await bus.publish(event);

    expect(a).toHaveBeenCalledWith(event);
    expect(b).toHaveBeenCalledWith(event);
    expect(other).not.toHaveBeenCalled();
  });

  test('when one handler throws, then the others still run, publish resolves and the failure is logged', async () => {
    const logger = fakeLogger();
    const bus = new EventBus(logger);
    const after = jest.fn();
    bus.subscribe('MemberJoined', async () => {
      throw new Error('handler broke');
    });
    bus.subscribe('MemberJoined', after);

    await expect(bus.publish(domainEvent('MemberJoined', { userId: 'u1' }))).resolves.toBeUndefined();

    expect(after).toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'MemberJoined', err: expect.any(Error) }),
      'event handler failed',
    );
  });

  test('when a handler unsubscribes, then it no longer receives events', async () => {
    const bus = new EventBus(fakeLogger());
    const handler = jest.fn();
    const unsubscribe = bus.subscribe('MemberJoined', handler);
    unsubscribe();
    await bus.publish(domainEvent('MemberJoined', { userId: 'u1' }));
    expect(handler).not.toHaveBeenCalled();
  });

  test('when published inside a transaction, then handlers run only once its after-commit hooks run', async () => {
    const bus = new EventBus(fakeLogger());
    const seen: string[] = [];
    bus.subscribe('Thing', () => void seen.push('handled'));
    const hooks: (() => Promise<void>)[] = [];
    await requestContext.run({ transaction: {} as never, afterCommit: hooks }, () =>
      bus.publish(domainEvent('Thing', {})),
    );
    expect(seen).toEqual([]);
    await Promise.all(hooks.map((hook) => hook()));
    expect(seen).toEqual(['handled']);
  });
});
