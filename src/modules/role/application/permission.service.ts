import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { ForbiddenError } from '../../../core/errors/app-error';
import type { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import { requestContext } from '../../../core/context/request-context';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { Principal } from '../../../core/http/principal';
import type { PermissionReader } from '../domain/ports';
import { PERMISSION_READER } from './tokens';

const TTL_SECONDS = 300;

export class PermissionDeniedError extends ForbiddenError {
  constructor(permission: string) {
    super(`This requires the ${permission} permission`, 'PERMISSION_DENIED');
  }
}

/**
 * Effective permissions = the member's workspace roles ∪ the user's global roles, cached per
 * workspace and user. Each workspace (and the platform) has a version in the shared cache; any
 * role or permission change bumps it, so every instance sharing Redis sees the change on the
 * very next request.
 */
@Service()
export class PermissionService {
  constructor(
    @Inject(PERMISSION_READER) private readonly reader: PermissionReader,
    @Inject(TOKENS.decisions) private readonly decisions: DecisionCache,
  ) {}

  async effective(principal: Pick<Principal, 'userId' | 'workspaceId' | 'apiKey'>): Promise<string[]> {
    if (principal.apiKey) return this.ofApiKey(principal.apiKey, principal.workspaceId);
    // Workspace grants are read in the workspace's tenant scope only. A route without one (a
    // platform route called with a workspace token) gets the global grants alone, cached apart,
    // so it never caches an empty workspace set under the workspace's key.
    const workspaceId = requestContext.current().tenantSchema ? principal.workspaceId : undefined;
    const scope = workspaceId ?? 'none';
    const key = `perm:${scope}:${principal.userId}`;
    const cached = await this.decisions.read<string[]>(key, [`perm:${scope}`, 'perm:platform'], {
      ttlSeconds: TTL_SECONDS,
    });
    if (cached.value) return cached.value;
    const [workspace, global] = await Promise.all([
      workspaceId ? this.reader.workspacePermissions(principal.userId) : Promise.resolve([]),
      this.reader.globalPermissions(principal.userId),
    ]);
    const permissions = [...new Set([...workspace, ...global])].sort();
    await this.decisions.write(cached, permissions);
    return permissions;
  }

  /**
   * An API key holds its roles' grants in its own workspace, nothing global. Cached under the
   * workspace's version like a member's, so a change to one of its roles applies at once.
   */
  private async ofApiKey(key: NonNullable<Principal['apiKey']>, workspaceId: string | undefined): Promise<string[]> {
    if (!workspaceId || !requestContext.current().tenantSchema) return [];
    const cached = await this.decisions.read<string[]>(`perm:${workspaceId}:key:${key.id}`, [`perm:${workspaceId}`], {
      ttlSeconds: TTL_SECONDS,
    });
    if (cached.value) return cached.value;
    const permissions = [...new Set(await this.reader.rolePermissions(key.roleIds))].sort();
    await this.decisions.write(cached, permissions);
    return permissions;
  }

  /** What these roles of the current workspace grant together (an API key's, before it is created). */
  async grantsOfRoles(roleIds: string[]): Promise<string[]> {
    return [...new Set(await this.reader.rolePermissions(roleIds))].sort();
  }

  async require(principal: Pick<Principal, 'userId' | 'workspaceId' | 'apiKey'>, permission: string): Promise<void> {
    if (!(await this.effective(principal)).includes(permission)) throw new PermissionDeniedError(permission);
  }

  /** No escalation: the caller must hold every permission they are about to grant. */
  async requireAll(
    principal: Pick<Principal, 'userId' | 'workspaceId' | 'apiKey'>,
    permissions: string[],
  ): Promise<void> {
    const mine = new Set(await this.effective(principal));
    const missing = permissions.find((p) => !mine.has(p));
    if (missing) throw new PermissionDeniedError(missing);
  }

  /** Call after any change to roles, grants or assignments of a workspace (or 'platform'); applied after COMMIT. */
  invalidate(scope: string): Promise<void> {
    return UnitOfWork.afterCommit(() => this.decisions.bump(`perm:${scope}`));
  }
}
