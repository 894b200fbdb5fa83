import { Inject, Service } from 'typedi';
import type { Page } from '../../../core/domain/page';
import type { ApiKeyRepository, TenantRoles } from '../domain/ports';
import { summarize, type ApiKeySummary } from './api-key.view';
import { API_KEY_REPOSITORY, API_KEY_TENANT_ROLES } from './tokens';

/** The workspace's keys, revoked and expired ones included (the list is their history too). */
@Service()
export class ListApiKeys {
  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(API_KEY_TENANT_ROLES) private readonly roles: TenantRoles,
  ) {}

  async execute(workspaceId: string, page: { page: number; limit: number }): Promise<Page<ApiKeySummary>> {
    const keys = await this.keys.list(workspaceId, page);
    const roles = await this.roles.findByIds([...new Set(keys.items.flatMap((k) => k.toProps().roleIds))]);
    return { items: keys.items.map((k) => summarize(k, roles)), meta: keys.meta };
  }
}
