import type { Migration } from '../src/core/infrastructure/database/migrator';
import {
  PLATFORM_ADMIN_ROLE,
  PLATFORM_PERMISSIONS,
  WORKSPACE_PERMISSIONS,
} from '../src/modules/role/domain/permissions';

/** The permission catalogue, global (platform) roles, and the platform admin role. */
export const up: Migration = async ({ context: { query } }) => {
  await query(`
    CREATE TABLE public.permissions (
      code text PRIMARY KEY CHECK (code ~ '^[a-z]+(\\.[a-z]+)+$'),
      scope text NOT NULL CHECK (scope IN ('workspace', 'platform')),
      description text NOT NULL
    )`);
  const catalogue = [
    ...Object.entries(WORKSPACE_PERMISSIONS).map(([code, description]) => ({ code, description, scope: 'workspace' })),
    ...Object.entries(PLATFORM_PERMISSIONS).map(([code, description]) => ({ code, description, scope: 'platform' })),
  ];
  for (const p of catalogue) {
    await query('INSERT INTO public.permissions (code, scope, description) VALUES (:code, :scope, :description)', p);
  }
  await query(`
    CREATE TABLE public.global_roles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      description text NOT NULL DEFAULT ''
    )`);
  await query(`
    CREATE TABLE public.global_role_permissions (
      role_id uuid NOT NULL REFERENCES public.global_roles (id) ON DELETE CASCADE,
      permission text NOT NULL REFERENCES public.permissions (code),
      PRIMARY KEY (role_id, permission)
    )`);
  await query(`
    CREATE TABLE public.user_global_roles (
      user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
      role_id uuid NOT NULL REFERENCES public.global_roles (id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, role_id)
    )`);
  await query("INSERT INTO public.global_roles (name, description) VALUES (:name, 'Operates the platform')", {
    name: PLATFORM_ADMIN_ROLE,
  });
  await query(
    `INSERT INTO public.global_role_permissions (role_id, permission)
     SELECT r.id, p.code FROM public.global_roles r, public.permissions p WHERE r.name = :name AND p.scope = 'platform'`,
    { name: PLATFORM_ADMIN_ROLE },
  );
};

export const down: Migration = async ({ context: { query } }) => {
  for (const table of ['user_global_roles', 'global_role_permissions', 'global_roles', 'permissions']) {
    await query(`DROP TABLE public.${table}`);
  }
};
