import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
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
    @Inject(TOKENS.decisions) private readonly decisions: DecisionCache,
  ) {}

  async resolve(workspaceId: string, userId: string): Promise<WorkspaceAccess | null> {
    const entryScope = scope(workspaceId, userId);
    const cached = await this.decisions.read<WorkspaceAccess | false>(`${entryScope}:entry`, [entryScope], {
      ttlSeconds: TTL_SECONDS,
    });
    if (cached.value !== null) return cached.value || null;
    const access = await this.directory.findAccess(workspaceId, userId);
    await this.decisions.write(cached, access ?? false);
    return access;
  }

  /**
   * After COMMIT, bumps the version of these entries: a request that read the old state just
   * before the change writes under the old version, which no later request reads.
   */
  forget(workspaceId: string, userIds: string[]): Promise<void> {
    return UnitOfWork.afterCommit(() => this.decisions.bump(...userIds.map((userId) => scope(workspaceId, userId))));
  }
}
