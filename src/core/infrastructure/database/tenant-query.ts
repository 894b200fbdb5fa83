import { QueryTypes, type Sequelize } from 'sequelize';
import { requestContext } from '../../context/request-context';
import { SchemaName } from '../../domain/schema-name';
import { selectRows } from './sql';

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
  const { transaction, tenantSchema, tenantReadOnly } = requestContext.current();
  if (!tenantSchema || (!transaction && !tenantReadOnly)) {
    throw new Error('Tenant repositories run only inside a tenant scope');
  }
  if (transaction) return sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  // Re-validated here: this string is concatenated into SQL.
  const schema = SchemaName.parse(tenantSchema).quoted;
  return selectRows<T>(
    sequelize,
    `SET LOCAL search_path TO ${schema}, public; SET LOCAL transaction_read_only TO on; ${sql}`,
    replacements,
  );
}
