import { QueryTypes, type Sequelize } from 'sequelize';
import { requestContext } from '../../context/request-context';

/**
 * SQL against the current tenant's tables (unqualified, resolved by the tenant search_path).
 * Outside a tenant scope it refuses to run rather than resolve against whatever schema is current.
 */
export function tenantQuery<T extends object = object>(
  sequelize: Sequelize,
  sql: string,
  replacements: Record<string, unknown>,
): Promise<T[]> {
  const { transaction, tenantSchema } = requestContext.current();
  if (!transaction || !tenantSchema) throw new Error('Tenant repositories run only inside a tenant scope');
  return sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
}
