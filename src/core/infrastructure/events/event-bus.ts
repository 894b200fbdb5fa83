import type { DomainEvent } from '../../domain/domain-event';
import type { Logger } from '../../logger';
import { UnitOfWork } from '../database/unit-of-work';

export { domainEvent, type DomainEvent } from '../../domain/domain-event';

export type EventHandler<E extends DomainEvent> = (event: E) => Promise<void> | void;

/**
 * In-process, typed publish/subscribe. Each handler runs isolated: one that throws is logged
 * and neither breaks the publisher nor the other handlers.
 */
export class EventBus {
  private readonly handlers = new Map<string, EventHandler<DomainEvent>[]>();

  constructor(
    private readonly logger: Logger,
    private readonly onFailure: (event: string) => void = () => undefined,
  ) {}

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

  /**
   * Inside a transaction, the event is delivered once it commits (never if it rolls back), so no
   * handler acts on a change that did not happen and each can open a transaction of its own.
   * Resolves when every handler has settled (or, in a transaction, once delivery is scheduled);
   * never rejects.
   */
  publish<E extends DomainEvent>(event: E): Promise<void> {
    return UnitOfWork.afterCommit(() => this.deliver(event));
  }

  private async deliver<E extends DomainEvent>(event: E): Promise<void> {
    const list = this.handlers.get(event.name) ?? [];
    const results = await Promise.allSettled(list.map(async (handler) => handler(event)));
    results.forEach((result) => {
      if (result.status === 'rejected') {
        this.logger.error({ err: result.reason, event: event.name }, 'event handler failed');
        this.onFailure(event.name);
      }
    });
  }
}
