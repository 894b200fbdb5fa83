import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import { requestContext } from '../../../core/context/request-context';
import { SchemaName } from '../../../core/domain/schema-name';
import { isReadOnly, type RouteSpec } from '../../../core/http/route';
import type { TenantScopes } from '../../../core/infrastructure/database/unit-of-work';
import type { AuditLog } from '../../audit/audit.public';
import type { ApiKeyCredentials } from '../application/api-key-credentials.service';
import { ApiKeyInvalidError } from '../domain/api-key';
import { ApiKeyToken } from '../domain/api-key-token';
import { ApiKeyNotAllowedError } from '../domain/errors';

type ModeGuards = (route: RouteSpec) => Middleware[];

const bearerOf = (ctx: Context): string | null => /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1] ?? null;

/**
 * API keys ride on the two authenticated modes the other modules already built:
 * - 'user' routes (auth, profile, workspace directory, switching) belong to people: a key is refused.
 * - 'workspace' routes: a key authenticates as itself in its own workspace (the tenant comes from
 *   the key, never from the request), and only on routes that declare a permission: the ones
 *   open to any caller (`permission: null`) act on the caller's own account or session.
 * Anything else goes on to the JWT guards unchanged.
 */
export function apiKeyGuards(deps: {
  credentials: () => ApiKeyCredentials;
  transactions: () => TenantScopes;
  audit: () => AuditLog;
}) {
  const refuse = async (ctx: Context, error: ApiKeyInvalidError | ApiKeyNotAllowedError, prefix?: string) => {
    await deps.audit().record(
      {
        action: 'auth.apikey.refused',
        metadata: {
          reason: error.code,
          ...(prefix ? { prefix } : {}),
          route: `${ctx.method} ${(ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path}`,
        },
      },
      { detached: true },
    );
    throw error;
  };

  const user =
    (inner: ModeGuards): ModeGuards =>
    (route) => {
      const chain = compose(inner(route));
      return [
        async (ctx, next) => {
          const token = bearerOf(ctx);
          if (token && ApiKeyToken.looksLikeOne(token)) return refuse(ctx, new ApiKeyNotAllowedError());
          return chain(ctx, next);
        },
      ];
    };

  const workspace =
    (inner: ModeGuards): ModeGuards =>
    (route) => {
      const chain = compose(inner(route));
      const readOnly = isReadOnly(route);
      return [
        async (ctx, next) => {
          const token = bearerOf(ctx);
          if (!token || !ApiKeyToken.looksLikeOne(token)) return chain(ctx, next);
          const prefix = ApiKeyToken.parse(token)?.prefix;
          if (route.permission === null) return refuse(ctx, new ApiKeyNotAllowedError(), prefix);
          let caller;
          try {
            caller = await deps.credentials().authenticate(token);
          } catch (err) {
            if (err instanceof ApiKeyInvalidError) return refuse(ctx, err, prefix);
            throw err;
          }
          const { principal, schemaName } = caller;
          ctx.state.principal = principal;
          requestContext.assign({ actorId: principal.userId, actorKind: 'api_key' });
          const named = (ctx.params as Record<string, string> | undefined)?.workspaceId;
          // Another workspace's routes do not exist for this key.
          if (named !== undefined && named !== principal.workspaceId) {
            return refuse(ctx, new ApiKeyNotAllowedError('This API key belongs to another workspace'), prefix);
          }
          const schema = SchemaName.parse(schemaName);
          const scopes = deps.transactions();
          await (readOnly ? scopes.readInTenant(schema, next) : scopes.runInTenant(schema, next));
        },
      ];
    };

  return { user, workspace };
}
