import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Logger } from '../../../core/logger';
import type { TenantSchemaAdmin } from '../domain/ports';
import { TENANT_SCHEMA_ADMIN } from './tokens';

/**
 * At start-up: a committed workspace still marked 'provisioning' cannot come from our atomic
 * provisioning (its transaction would have rolled back), so it is debris from manual work or an
 * older version: its schema and row are removed. Schemas with no directory row are reported, not
 * dropped: nothing proves they are ours to delete.
 */
@Service()
export class ReconcileTenants {
  constructor(
    @Inject(TENANT_SCHEMA_ADMIN) private readonly schemas: TenantSchemaAdmin,
    @Inject(TOKENS.logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<{ cleaned: string[]; orphans: string[] }> {
    const stuck = (await this.schemas.listTenants()).filter((t) => t.status === 'provisioning');
    for (const tenant of stuck) await this.schemas.drop(tenant);
    const orphans = await this.schemas.orphanSchemas();
    if (stuck.length > 0)
      this.logger.warn({ workspaces: stuck.map((t) => t.id) }, 'removed workspaces left in provisioning');
    if (orphans.length > 0) this.logger.warn({ schemas: orphans }, 'tenant schemas without a workspace (not dropped)');
    return { cleaned: stuck.map((t) => t.id), orphans };
  }
}
