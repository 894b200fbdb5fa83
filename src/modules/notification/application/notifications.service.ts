import { randomUUID } from 'node:crypto';
import { Inject, Service, Token } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { Page } from '../../../core/domain/page';
import { SchemaName } from '../../../core/domain/schema-name';
import { NotFoundError } from '../../../core/errors/app-error';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { JobContext } from '../../../core/infrastructure/jobs/outbox';
import type { JobReceipts } from '../../../core/infrastructure/jobs/receipts';
import type {
  Notification,
  NotificationCreated,
  NotificationData,
  NotificationRepository,
  NotificationType,
} from '../domain/notification';

export const NOTIFICATION_REPOSITORY = new Token<NotificationRepository>('NotificationRepository');

export class NotificationNotFoundError extends NotFoundError {
  constructor() {
    super('Notification not found', 'NOTIFICATION_NOT_FOUND');
  }
}

export interface NotificationContent {
  type: NotificationType;
  title: string;
  body: string;
  data: NotificationData;
}

/**
 * In-app notifications: each member reads only their own, in their active workspace (the routes
 * run in its tenant scope). `notify` writes in the named workspace's tenant scope and announces
 * each new notification (NotificationCreated) in the same transaction.
 */
@Service()
export class Notifications {
  constructor(
    @Inject(NOTIFICATION_REPOSITORY) private readonly repository: NotificationRepository,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(TOKENS.receipts) private readonly receipts: Pick<JobReceipts, 'claim'>,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  list(recipientId: string, query: { unread: boolean; page: number; limit: number }): Promise<Page<Notification>> {
    return this.repository.list(recipientId, query);
  }

  async markRead(recipientId: string, id: string): Promise<Notification> {
    const notification = await this.repository.markRead(recipientId, id, this.clock.now());
    // Someone else's notification is as unknown as a missing one.
    if (!notification) throw new NotificationNotFoundError();
    return notification;
  }

  markAllRead(recipientId: string): Promise<number> {
    return this.repository.markAllRead(recipientId, this.clock.now());
  }

  /**
   * Writes the notifications and their NotificationCreated events in one tenant transaction.
   * Called by an outbox job, it does so once however often the job runs (the job's receipt).
   */
  async notify(
    workspaceId: string,
    recipientIds: string[],
    content: NotificationContent,
    job: JobContext,
  ): Promise<Notification[]> {
    if (recipientIds.length === 0) return [];
    const now = this.clock.now();
    const created = [...new Set(recipientIds)].map((recipientId) => ({
      id: randomUUID(),
      recipientId,
      ...content,
      readAt: null,
      createdAt: now,
    }));
    return this.tx.runInTenant(SchemaName.forWorkspace(workspaceId), async () => {
      if (!(await this.receipts.claim(job, 'notifications.notify'))) return [];
      await this.repository.add(created);
      for (const n of created) {
        const notification = { ...n, createdAt: n.createdAt.toISOString() };
        delete (notification as { readAt?: unknown }).readAt;
        await this.events.publish<NotificationCreated>(
          domainEvent('NotificationCreated', { workspaceId, notification }),
        );
      }
      return created;
    });
  }
}
