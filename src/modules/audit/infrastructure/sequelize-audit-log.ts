import type { Sequelize, Transaction } from 'sequelize';
import { requestContext } from '../../../core/context/request-context';
import { SchemaName } from '../../../core/domain/schema-name';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { AuditEntry, AuditLog } from '../domain/audit-log';

/**
 * Writes inside the current unit of work, if any, so an entry commits with its action. Inside a
 * tenant scope it goes to the tenant's own audit_events, elsewhere to public's. The table is always
 * qualified: a detached write, or one from a read-only scope, runs on a connection whose
 * search_path is the default, where an unqualified name would resolve to public.
 */
export class SequelizeAuditLog implements AuditLog {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: AuditEntry, options: { detached?: boolean } = {}): Promise<void> {
    const context = requestContext.current();
    const tenant = context.tenantSchema ? SchemaName.parse(context.tenantSchema) : null;
    const table = `${tenant ? tenant.quoted : 'public'}.audit_events`;
    // A tenant's trail is on its own database, and commits with the tenant's transaction.
    const database = (tenant && context.tenantDatabase) || this.sequelize;
    const write = (transaction: Transaction | undefined) =>
      database.query(
        `INSERT INTO ${table} (actor_id, action, target_type, target_id, ip, user_agent, request_id, metadata)
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
            // An API key's entries say so: its id in actor_id matches no account.
            metadata: JSON.stringify(
              context.actorKind ? { ...entry.metadata, actorKind: context.actorKind } : (entry.metadata ?? {}),
            ),
          },
          transaction,
        },
      );
    // Detached: kept although the unit of work rolls back, written once its connection is free.
    if (options.detached) return UnitOfWork.afterEnd(async () => void (await write(undefined)));
    await write(tenant ? UnitOfWork.tenant() : UnitOfWork.current());
  }
}
