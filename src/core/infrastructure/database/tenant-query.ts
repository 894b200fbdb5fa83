import { QueryTypes, type Sequelize } from 'sequelize';
import { requestContext } from '../../context/request-context';
import { SchemaName } from '../../domain/schema-name';
import { selectRows } from './sql';
import { schemaPresentSql } from './unit-of-work';

/**
 * True when the current tenant's schema is on another database than `main` (ADR 0012): its
 * queries cannot join `public`'s tables, which are on the main database only.
 */
export function tenantElsewhere(main: Sequelize): boolean {
  const { tenantDatabase } = requestContext.current();
  return tenantDatabase !== undefined && tenantDatabase !== main;
}

/**
 * SQL against the current tenant's tables (unqualified, resolved by the tenant search_path).
 * Outside a tenant scope it refuses to run rather than resolve against whatever schema is current.
 * In a read-only scope (UnitOfWork.readInTenant) the search_path travels with the query itself,
 * in the same simple-protocol message: one round trip, one implicit read-only transaction.
 */
export function tenantQuery<T extends object = object>(
  sequelize: Sequelize,
  sql: string,
  replacements: Record<string, unknown>,
): Promise<T[]> {
  const { tenantTransaction, tenantSchema, tenantReadOnly, tenantDatabase, tenantCheck } = requestContext.current();
  if (!tenantSchema || (!tenantTransaction && !tenantReadOnly)) {
    throw new Error('Tenant repositories run only inside a tenant scope');
  }
  // Sequelize sends a query on its transaction's own connection: the tenant's database.
  if (tenantTransaction) {
    return sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: tenantTransaction });
  }
  // Re-validated here: this string is concatenated into SQL.
  const schema = SchemaName.parse(tenantSchema);
  const check = tenantCheck ? `${schemaPresentSql(schema.value)}; ` : '';
  return selectRows<T>(
    tenantDatabase ?? sequelize,
    `SET LOCAL search_path TO ${schema.quoted}, public; SET LOCAL transaction_read_only TO on; ${check}${sql}`,
    replacements,
  );
}
