import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { WorkspaceAccess, WorkspaceDirectory } from '../domain/ports';
import { WORKSPACE_DIRECTORY } from './tokens';

const TTL_SECONDS = 60;
const key = (workspaceId: string, userId: string) => `ws:access:${workspaceId}:${userId}`;

/**
 * Membership checks on the request path, cached per workspace and user. Every change that ends
 * access (removal, deletion) forgets the entries, so it takes effect on the next request.
 */
@Service()
export class WorkspaceAccessCache {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TOKENS.cache) private readonly cache: Cache,
  ) {}

  async resolve(workspaceId: string, userId: string): Promise<WorkspaceAccess | null> {
    const cached = await this.cache.get<WorkspaceAccess | false>(key(workspaceId, userId));
    if (cached !== null) return cached || null;
    const access = await this.directory.findAccess(workspaceId, userId);
    await this.cache.set(key(workspaceId, userId), access ?? false, TTL_SECONDS);
    return access;
  }

  /** Forgets after the current transaction commits, so a concurrent request cannot re-cache stale access. */
  forget(workspaceId: string, userIds: string[]): Promise<void> {
    return UnitOfWork.afterCommit(() => this.cache.delete(...userIds.map((userId) => key(workspaceId, userId))));
  }
}
