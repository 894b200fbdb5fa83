import type { Sequelize } from 'sequelize';
import { requestContext } from '../../../core/context/request-context';
import { SchemaName } from '../../../core/domain/schema-name';
import { createTenantMigrator } from '../../../core/infrastructure/database/migrator';
import type { Logger } from '../../../core/logger';
import type { TenantProvisioner } from '../domain/ports';

/** DDL for the tenant of the current scope; it commits or rolls back with the provisioning transaction. */
export class SqlTenantProvisioner implements TenantProvisioner {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly logger: Logger,
  ) {}

  async createSchema(): Promise<void> {
    const { schema, transaction } = this.scope();
    await this.sequelize.query(`CREATE SCHEMA ${schema.quoted}`, { transaction });
  }

  async migrate(): Promise<void> {
    await createTenantMigrator(this.sequelize, this.scope().schema, this.logger).up();
  }

  private scope() {
    const { tenantSchema, transaction } = requestContext.current();
    if (!tenantSchema || !transaction) throw new Error('Provisioning runs only inside a tenant scope');
    return { schema: SchemaName.parse(tenantSchema), transaction };
  }
}
