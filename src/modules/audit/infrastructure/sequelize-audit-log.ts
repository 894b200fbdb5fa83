import type { Sequelize } from 'sequelize';
import { requestContext } from '../../../core/context/request-context';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { AuditEntry, AuditLog } from '../domain/audit-log';

/** Writes public.audit_events inside the current unit of work, if any, so it commits with the action. */
export class SequelizeAuditLog implements AuditLog {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: AuditEntry): Promise<void> {
    const context = requestContext.current();
    await this.sequelize.query(
      `INSERT INTO public.audit_events (actor_id, action, target_type, target_id, ip, user_agent, request_id, metadata)
       VALUES (:actorId, :action, :targetType, :targetId, :ip, :userAgent, :requestId, :metadata)`,
      {
        replacements: {
          actorId: entry.actorId ?? context.actorId ?? null,
          action: entry.action,
          targetType: entry.targetType ?? null,
          targetId: entry.targetId ?? null,
          ip: context.ip ?? null,
          userAgent: context.userAgent?.slice(0, 512) ?? null,
          requestId: context.requestId ?? null,
          metadata: JSON.stringify(entry.metadata ?? {}),
        },
        transaction: UnitOfWork.current(),
      },
    );
  }
}
