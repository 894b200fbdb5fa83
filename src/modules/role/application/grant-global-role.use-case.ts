import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { GlobalRoleStore } from '../domain/ports';
import { PermissionService } from './permission.service';
import { GLOBAL_ROLE_STORE } from './tokens';

/** Makes a user a platform admin (or another global role): used by the admin:create script. */
@Service()
export class GrantGlobalRole {
  constructor(
    @Inject(GLOBAL_ROLE_STORE) private readonly roles: GlobalRoleStore,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly permissions: PermissionService,
  ) {}

  /** Returns false when the user already held the role. */
  execute(input: { userId: string; role: string; actorId: string | null }): Promise<boolean> {
    return this.tx.run(async () => {
      const granted = await this.roles.grant(input.userId, input.role);
      if (granted) {
        await this.audit.record({
          action: 'role.global.granted',
          actorId: input.actorId,
          targetType: 'user',
          targetId: input.userId,
          metadata: { role: input.role },
        });
        await this.permissions.invalidate('platform');
      }
      return granted;
    });
  }
}
