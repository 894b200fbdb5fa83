import type { Middleware } from 'koa';
import { principalOf } from '../../../core/http/principal';
import type { AuditLog } from '../../audit/audit.public';
import type { PermissionService } from '../application/permission.service';
import { PermissionDeniedError } from '../application/permission.service';

/**
 * requirePermission(code), mounted by the route registry for every route that declares one.
 * A refusal is written to the audit trail (the tenant's, for workspace routes) outside the request
 * transaction, which is about to roll back.
 */
export function permissionGuard(permissions: () => PermissionService, audit: () => AuditLog) {
  return (permission: string): Middleware =>
    async (ctx, next) => {
      const principal = principalOf(ctx);
      const granted = await permissions().effective(principal);
      if (!granted.includes(permission)) {
        await audit().record(
          {
            action: 'authz.denied',
            actorId: principal.userId,
            metadata: {
              permission,
              route: `${ctx.method} ${(ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path}`,
            },
          },
          { detached: true },
        );
        throw new PermissionDeniedError(permission);
      }
      await next();
    };
}
