import type { Middleware } from 'koa';
import { SchemaName } from '../../../core/domain/schema-name';
import { TenantMovingError } from '../../../core/errors/app-error';
import { principalOf } from '../../../core/http/principal';
import type { TenantScopes } from '../../../core/infrastructure/database/unit-of-work';
import type { WorkspaceAccessCache } from '../application/workspace-access.service';
import type { MfaStatus } from '../../auth/auth.public';
import {
  MfaRequiredError,
  WorkspaceNotActiveError,
  WorkspaceNotFoundError,
  WorkspaceRequiredError,
} from '../domain/errors';

/**
 * The 'workspace' auth mode (after the bearer guard): the token's active workspace (`wid`) is
 * required; a `:workspaceId` in the path must be that workspace; the caller must be an active
 * member of an active workspace, with a second factor if the workspace requires one. The rest of the request then runs in that tenant's scope: one
 * transaction whose search_path is the tenant's schema, or for a read-only route, queries that
 * each carry that search_path (UnitOfWork.readInTenant).
 */
export function workspaceGuard(access: () => WorkspaceAccessCache, tx: () => TenantScopes, mfa: () => MfaStatus) {
  return (readOnly: boolean): Middleware =>
    async (ctx, next) => {
      const principal = principalOf(ctx);
      if (!principal.workspaceId) throw new WorkspaceRequiredError();
      const named = (ctx.params as Record<string, string> | undefined)?.workspaceId;
      if (named !== undefined && named !== principal.workspaceId) throw new WorkspaceNotActiveError();
      const granted = await access().resolve(principal.workspaceId, principal.userId);
      // A removed member, or a deleted workspace, looks like no workspace at all.
      if (!granted) throw new WorkspaceNotFoundError();
      if (granted.requireMfa && !(await mfa().isEnabled(principal.userId))) throw new MfaRequiredError();
      // A workspace being moved to another database keeps serving reads from where it is; its
      // writes wait for the switch (ADR 0012).
      if (granted.moving && !readOnly) throw new TenantMovingError();
      const schema = SchemaName.parse(granted.schemaName);
      try {
        await (readOnly
          ? tx().readInTenant(schema, next, granted.shard)
          : tx().runInTenant(schema, next, { shard: granted.shard }));
      } catch (err) {
        // Moved away since this decision was cached (an instance that missed the invalidation):
        // the next request reads where it is now.
        if (err instanceof TenantMovingError) await access().forget(principal.workspaceId, [principal.userId]);
        throw err;
      }
    };
}
