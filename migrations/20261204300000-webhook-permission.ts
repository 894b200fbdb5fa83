import type { Migration } from '../src/core/infrastructure/database/migrator';
import { WORKSPACE_PERMISSIONS } from '../src/modules/role/domain/permissions';

/**
 * `webhooks.manage` (issue #17) into the permission catalogue of databases created before it. A
 * new database already has it: the rbac migration inserts the catalogue as the code defines it.
 * The admin role grants it without a row (grantsOf); other roles get it when an admin says so.
 */
export const up: Migration = async ({ context: { query } }) => {
  await query(
    `INSERT INTO public.permissions (code, scope, description) VALUES ('webhooks.manage', 'workspace', :description)
     ON CONFLICT (code) DO NOTHING`,
    { description: WORKSPACE_PERMISSIONS['webhooks.manage'] },
  );
};

export const down: Migration = async ({ context: { query } }) => {
  await query(`DELETE FROM public.permissions WHERE code = 'webhooks.manage'`);
};
