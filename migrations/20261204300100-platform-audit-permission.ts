import type { Migration } from '../src/core/infrastructure/database/migrator';
import { PLATFORM_ADMIN_ROLE, PLATFORM_PERMISSIONS } from '../src/modules/role/domain/permissions';

/**
 * `platform.audit.read` (issue #17: the platform audit log, listed and exported) into the
 * catalogue of databases created before it, granted to the platform admin role. A new database
 * already has both: the rbac migration inserts the catalogue and grants every platform permission.
 */
export const up: Migration = async ({ context: { query } }) => {
  await query(
    `INSERT INTO public.permissions (code, scope, description) VALUES ('platform.audit.read', 'platform', :description)
     ON CONFLICT (code) DO NOTHING`,
    { description: PLATFORM_PERMISSIONS['platform.audit.read'] },
  );
  await query(
    `INSERT INTO public.global_role_permissions (role_id, permission)
     SELECT id, 'platform.audit.read' FROM public.global_roles WHERE name = :name
     ON CONFLICT DO NOTHING`,
    { name: PLATFORM_ADMIN_ROLE },
  );
};

export const down: Migration = async ({ context: { query } }) => {
  await query(`DELETE FROM public.global_role_permissions WHERE permission = 'platform.audit.read'`);
  await query(`DELETE FROM public.permissions WHERE code = 'platform.audit.read'`);
};
