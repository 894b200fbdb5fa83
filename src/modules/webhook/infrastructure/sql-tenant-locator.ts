import type { Sequelize } from 'sequelize';
import { SchemaName } from '../../../core/domain/schema-name';
import { selectRows } from '../../../core/infrastructure/database/sql';
import type { TenantLocator } from '../domain/ports';

/**
 * The tenant schema of a workspace from the directory, soft-deleted ones included: a deleted
 * workspace keeps its schema until it is purged, and its endpoints still receive
 * `workspace:deleted` and the retries of what was pending.
 */
export class SqlTenantLocator implements TenantLocator {
  constructor(private readonly sequelize: Sequelize) {}

  async schemaOf(workspaceId: string): Promise<SchemaName | null> {
    const [row] = await selectRows<{ schema_name: string }>(
      this.sequelize,
      `SELECT schema_name FROM public.workspaces WHERE id = :workspaceId AND status <> 'provisioning'`,
      { workspaceId },
    );
    return row ? SchemaName.parse(row.schema_name) : null;
  }
}
