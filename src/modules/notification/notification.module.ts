import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { subscribeNotificationHandlers } from './application/notification-handlers';
import { NOTIFICATION_REPOSITORY } from './application/notifications.service';
import { SqlNotificationRepository } from './infrastructure/sql-notification.repository';
import { notificationRoutes } from './presentation/notification.routes';

export const notificationModule: AppModule = {
  name: 'notification',
  register: (container) => {
    container.set(NOTIFICATION_REPOSITORY, new SqlNotificationRepository(container.get(TOKENS.sequelize)));
  },
  routes: notificationRoutes,
  subscribe: subscribeNotificationHandlers,
};
