import { Inject, Service } from 'typedi';
import { NotAWorkspaceAdminError } from '../domain/errors';
import type { TenantMembers } from '../domain/ports';
import { TENANT_MEMBERS } from './tokens';

/** Until RBAC lands (issue #6), workspace-wide changes need the admin role in the current tenant. */
@Service()
export class RequireWorkspaceAdmin {
  constructor(@Inject(TENANT_MEMBERS) private readonly members: TenantMembers) {}

  async check(userId: string): Promise<void> {
    if (!(await this.members.rolesOf(userId)).includes('admin')) throw new NotAWorkspaceAdminError();
  }
}
