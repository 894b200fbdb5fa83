import type { DomainEvent } from '../../domain/domain-event';
import type { JobContext, JobRegistry, Outbox } from '../jobs/outbox';

export { domainEvent, type DomainEvent } from '../../domain/domain-event';

export type EventHandler<E extends DomainEvent> = (event: E, context: JobContext) => Promise<void> | void;

/**
 * Typed publish/subscribe on the durable outbox. Each subscriber is a named job type: publishing
 * enqueues one job per subscriber of the event, in the publisher's unit of work, so a handler
 * runs if and only if the change committed, even if the process dies right after COMMIT. Each
 * subscriber retries and dead-letters on its own; a second run of a handler must be harmless
 * (the JobContext id is stable across runs).
 *
 * The subscriber name is stored with every queued job: renaming one strands the jobs already
 * queued for the old name (they dead-letter as having no handler).
 */
export class EventBus {
  private readonly subscribers = new Map<string, string[]>();

  constructor(private readonly outbox: Outbox & JobRegistry) {}

  subscribe<E extends DomainEvent>(name: E['name'], subscriber: string, handler: EventHandler<E>): void {
    const type = `event.${subscriber}`;
    this.outbox.handle<E>(type, async (event, context) => handler(event, context));
    this.subscribers.set(name, [...(this.subscribers.get(name) ?? []), type]);
  }

  /** Enqueues the event for each subscriber (a no-op for an event nobody subscribes to). */
  async publish<E extends DomainEvent>(event: E): Promise<void> {
    const types = this.subscribers.get(event.name) ?? [];
    await this.outbox.enqueue(...types.map((type) => ({ type, data: event })));
  }
}
