import { apiKeyModule } from '../../modules/apikey/apikey.module';
import { auditModule } from '../../modules/audit/audit.module';
import { authModule } from '../../modules/auth/auth.module';
import { lifecycleModule } from '../../modules/lifecycle/lifecycle.module';
import { notificationModule } from '../../modules/notification/notification.module';
import { realtimeModule } from '../../modules/realtime/realtime.module';
import { ssoModule } from '../../modules/sso/sso.module';
import { roleModule } from '../../modules/role/role.module';
import { userModule } from '../../modules/user/user.module';
import { webhookModule } from '../../modules/webhook/webhook.module';
import { workspaceModule } from '../../modules/workspace/workspace.module';
import type { AppModule } from './module';

/** Every bounded context of the API, in registration order (a module's dependencies first). */
export const APP_MODULES: AppModule[] = [
  auditModule,
  userModule,
  authModule,
  workspaceModule,
  roleModule,
  apiKeyModule,
  ssoModule,
  notificationModule,
  realtimeModule,
  lifecycleModule,
  webhookModule,
];
