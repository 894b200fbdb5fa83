import { Inject, Service } from 'typedi';
import type { Page } from '../../../core/domain/page';
import type { WorkspaceDirectory } from '../domain/ports';
import type { Workspace } from '../domain/workspace';
import { WORKSPACE_DIRECTORY } from './tokens';

@Service()
export class ListMyWorkspaces {
  constructor(@Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory) {}

  execute(input: { userId: string; page: number; limit: number }): Promise<Page<Workspace>> {
    return this.directory.listForMember(input.userId, input);
  }
}
