import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import { bumpCacheVersion, readVersioned, writeVersioned } from '../../../core/infrastructure/cache/cache-version';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { WorkspaceAccess, WorkspaceDirectory } from '../domain/ports';
import { WORKSPACE_DIRECTORY } from './tokens';

const TTL_SECONDS = 60;
const scope = (workspaceId: string, userId: string) => `ws:access:${workspaceId}:${userId}`;

/**
 * Membership checks on the request path, cached per workspace and user. Every change that ends
 * access (removal, deletion) bumps the entry's version, so it takes effect on the next request.
 */
@Service()
export class WorkspaceAccessCache {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TOKENS.cache) private readonly cache: Cache,
  ) {}

  async resolve(workspaceId: string, userId: string): Promise<WorkspaceAccess | null> {
    const entryScope = scope(workspaceId, userId);
    const key = `${entryScope}:entry`;
    const cached = await readVersioned<WorkspaceAccess | false>(this.cache, key, [entryScope]);
    if (cached.value !== null) return cached.value || null;
    const access = await this.directory.findAccess(workspaceId, userId);
    await writeVersioned(this.cache, key, access ?? false, cached.stamp, TTL_SECONDS);
    return access;
  }

  /**
   * After COMMIT, bumps the version of these entries: a request that read the old state just
   * before the change writes under the old version, which no later request reads.
   */
  forget(workspaceId: string, userIds: string[]): Promise<void> {
    return UnitOfWork.afterCommit(() =>
      bumpCacheVersion(this.cache, ...userIds.map((userId) => scope(workspaceId, userId))),
    );
  }
}
