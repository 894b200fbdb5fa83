import type { Sequelize } from 'sequelize';
import { SchemaName } from '../../../core/domain/schema-name';
import { selectRows } from '../../../core/infrastructure/database/sql';
import type { DeliveryRetention } from '../domain/ports';

/**
 * Purges finished deliveries workspace by workspace (one short statement per tenant schema, so
 * no long lock and no giant transaction); a schema not yet migrated to the webhook tables is skipped.
 */
export class SqlDeliveryRetention implements DeliveryRetention {
  constructor(private readonly sequelize: Sequelize) {}

  async purgeFinished(before: Date): Promise<number> {
    const schemas = await selectRows<{ schema_name: string }>(
      this.sequelize,
      `SELECT w.schema_name FROM public.workspaces w
       WHERE w.status <> 'provisioning'
         AND to_regclass(quote_ident(w.schema_name) || '.webhook_deliveries') IS NOT NULL
       ORDER BY w.schema_name`,
      {},
    );
    let purged = 0;
    for (const { schema_name } of schemas) {
      const schema = SchemaName.parse(schema_name);
      const rows = await selectRows<{ n: number }>(
        this.sequelize,
        `WITH gone AS (
           DELETE FROM ${schema.quoted}.webhook_deliveries
           WHERE status IN ('succeeded', 'failed') AND updated_at < CAST(:before AS timestamptz) RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        { before: before.toISOString() },
      );
      purged += rows[0]?.n ?? 0;
    }
    return purged;
  }
}
