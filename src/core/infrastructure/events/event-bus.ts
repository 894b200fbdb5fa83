import type { DomainEvent } from '../../domain/domain-event';
import type { Logger } from '../../logger';

export { domainEvent, type DomainEvent } from '../../domain/domain-event';

export type EventHandler<E extends DomainEvent> = (event: E) => Promise<void> | void;

/**
 * In-process, typed publish/subscribe. Each handler runs isolated: one that throws is logged
 * and neither breaks the publisher nor the other handlers.
 */
export class EventBus {
  private readonly handlers = new Map<string, EventHandler<DomainEvent>[]>();

  constructor(private readonly logger: Logger) {}

  subscribe<E extends DomainEvent>(name: E['name'], handler: EventHandler<E>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as EventHandler<DomainEvent>);
    this.handlers.set(name, list);
    return () =>
      this.handlers.set(
        name,
        (this.handlers.get(name) ?? []).filter((h) => h !== handler),
      );
  }

  /** Resolves when every handler has settled; never rejects. */
  async publish<E extends DomainEvent>(event: E): Promise<void> {
    const list = this.handlers.get(event.name) ?? [];
    const results = await Promise.allSettled(list.map(async (handler) => handler(event)));
    results.forEach((result) => {
      if (result.status === 'rejected') {
        this.logger.error({ err: result.reason, event: event.name }, 'event handler failed');
      }
    });
  }
}
