// What other modules may use of the notification context.
export type { NotificationCreated } from './domain/notification';
export { notificationView, notificationViewOf, toNotificationView } from './presentation/notification.routes';
export { Notifications } from './application/notifications.service';
