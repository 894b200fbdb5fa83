import type { Sequelize } from 'sequelize';
import { SchemaName } from '../../../core/domain/schema-name';
import { Shards } from '../../../core/infrastructure/database/shards';
import { selectRows } from '../../../core/infrastructure/database/sql';
import type { DeliveryRetention } from '../domain/ports';

/**
 * Purges finished deliveries workspace by workspace (one short statement per tenant schema, so
 * no long lock and no giant transaction); a schema not yet migrated to the webhook tables is skipped.
 */
export class SqlDeliveryRetention implements DeliveryRetention {
  private readonly shards: Shards;

  constructor(databases: Sequelize | Shards) {
    this.shards = Shards.of(databases);
  }

  async purgeFinished(before: Date): Promise<number> {
    let purged = 0;
    for (const { name, sequelize } of this.shards.all()) purged += await this.purgeOn(name, sequelize, before);
    return purged;
  }

  private async purgeOn(shard: string, sequelize: Sequelize, before: Date): Promise<number> {
    const placed = await selectRows<{ schema_name: string }>(
      this.shards.main,
      `SELECT schema_name FROM public.workspaces WHERE status <> 'provisioning' AND shard = :shard ORDER BY schema_name`,
      { shard },
    );
    const schemas = await selectRows<{ schema_name: string }>(
      sequelize,
      `SELECT s AS schema_name FROM unnest(CAST(:schemas AS text[])) AS s
       WHERE to_regclass(quote_ident(s) || '.webhook_deliveries') IS NOT NULL`,
      { schemas: `{${placed.map((p) => p.schema_name).join(',')}}` },
    );
    let purged = 0;
    for (const { schema_name } of schemas) {
      const schema = SchemaName.parse(schema_name);
      const rows = await selectRows<{ n: number }>(
        sequelize,
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
