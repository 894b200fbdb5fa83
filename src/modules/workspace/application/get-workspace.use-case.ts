import { Inject, Service } from 'typedi';
import { WorkspaceNotFoundError } from '../domain/errors';
import type { WorkspaceDirectory } from '../domain/ports';
import type { Workspace } from '../domain/workspace';
import { WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

/** Members see a workspace's details; to anyone else it does not exist (404, not 403). */
@Service()
export class GetWorkspace {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    private readonly access: WorkspaceAccessCache,
  ) {}

  async execute(input: { workspaceId: string; userId: string }): Promise<Workspace> {
    if (!(await this.access.resolve(input.workspaceId, input.userId))) throw new WorkspaceNotFoundError();
    const workspace = await this.directory.findById(input.workspaceId);
    if (!workspace) throw new WorkspaceNotFoundError();
    return workspace;
  }
}
