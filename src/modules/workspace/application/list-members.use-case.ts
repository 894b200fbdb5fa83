import { Inject, Service } from 'typedi';
import type { Page } from '../../../core/domain/page';
import type { MemberRecord, TenantMembers } from '../domain/ports';
import { TENANT_MEMBERS } from './tokens';

/** Runs in the workspace's tenant scope: it can only ever list that tenant's members. */
@Service()
export class ListMembers {
  constructor(@Inject(TENANT_MEMBERS) private readonly members: TenantMembers) {}

  execute(input: { page: number; limit: number }): Promise<Page<MemberRecord>> {
    return this.members.list(input);
  }
}
