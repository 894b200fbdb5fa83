import type { DomainEvent } from '../../../core/domain/domain-event';
import type { Page } from '../../../core/domain/page';

export const NOTIFICATION_TYPES = [
  'invitation.received',
  'member.joined',
  'roles.changed',
  'webhook.disabled',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Plain values only: what the recipient may see, never a token or a secret. */
export type NotificationData = Record<string, string | number | boolean | null | string[]>;

export interface Notification {
  id: string;
  recipientId: string;
  type: NotificationType;
  title: string;
  body: string;
  data: NotificationData;
  readAt: Date | null;
  createdAt: Date;
}

/** A new notification as it travels in an event (JSON: the date as an ISO string, not yet read). */
export type NotificationSnapshot = Omit<Notification, 'readAt' | 'createdAt'> & { createdAt: string };

export type NotificationCreated = DomainEvent<
  'NotificationCreated',
  { workspaceId: string; notification: NotificationSnapshot }
>;

/** The current tenant's notifications (runs in its tenant scope). */
export interface NotificationRepository {
  add(notifications: Notification[]): Promise<void>;
  list(recipientId: string, query: { unread: boolean; page: number; limit: number }): Promise<Page<Notification>>;
  /** Marks one of the recipient's notifications read (kept if already read); null if not theirs. */
  markRead(recipientId: string, id: string, now: Date): Promise<Notification | null>;
  /** Returns how many were unread. */
  markAllRead(recipientId: string, now: Date): Promise<number>;
}
