import { MemoryOutbox } from '../jobs/memory-outbox.test-support';
import { domainEvent, EventBus, type DomainEvent } from './event-bus';

type Joined = DomainEvent<'MemberJoined', { userId: string }>;

describe('EventBus', () => {
  test('when an event is published, then one outbox job is enqueued per subscriber of that name, and nothing runs yet', async () => {
    const outbox = new MemoryOutbox();
    const bus = new EventBus(outbox);
    const a = jest.fn();
    const other = jest.fn();
    bus.subscribe<Joined>('MemberJoined', 'test.a', a);
    bus.subscribe<Joined>('MemberJoined', 'test.b', jest.fn());
    bus.subscribe('MemberRemoved', 'test.other', other);

    await bus.publish(domainEvent('MemberJoined', { userId: 'u1' }));

    expect(outbox.types()).toEqual(['event.test.a', 'event.test.b']);
    expect(a).not.toHaveBeenCalled();
  });

  test('when the jobs run, then each subscriber receives the event as JSON, with its job context', async () => {
    const outbox = new MemoryOutbox();
    const bus = new EventBus(outbox);
    const a = jest.fn();
    const other = jest.fn();
    bus.subscribe<Joined>('MemberJoined', 'test.a', a);
    bus.subscribe('MemberRemoved', 'test.other', other);
    const event = domainEvent('MemberJoined', { userId: 'u1' });

    await bus.publish(event);
    await outbox.runAll();

    expect(a).toHaveBeenCalledWith(event, { id: expect.any(String), attempt: 1 });
    expect(other).not.toHaveBeenCalled();
  });

  test('when an event has no subscriber, then nothing is enqueued', async () => {
    const outbox = new MemoryOutbox();
    await new EventBus(outbox).publish(domainEvent('Nobody', {}));
    expect(outbox.queued).toEqual([]);
  });
});
