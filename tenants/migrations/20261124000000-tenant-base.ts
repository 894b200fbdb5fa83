import type { Migration } from '../../src/core/infrastructure/database/migrator';
import { SYSTEM_ROLE_PERMISSIONS } from '../../src/modules/role/domain/permissions';

const SYSTEM_ROLES = {
  admin: 'Everything in the workspace',
  member: 'Works in the workspace',
  viewer: 'Read-only access',
} as const;

/**
 * The tenant schema: everything that belongs to one workspace. Runs inside the tenant's
 * transaction with search_path set to the tenant, so names are unqualified.
 */
export const up: Migration = async ({ context: { query } }) => {
  // One statement list per round trip: provisioning a tenant replays this, and its cost is
  // mostly round trips (the schema that results is the same as with one call per statement).
  await query(`
    CREATE TABLE members (
      user_id uuid PRIMARY KEY,
      display_name text,
      joined_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE roles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      description text NOT NULL DEFAULT '',
      is_system boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE role_permissions (
      role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
      permission text NOT NULL REFERENCES public.permissions (code),
      PRIMARY KEY (role_id, permission)
    );
    CREATE TABLE member_roles (
      user_id uuid NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
      role_id uuid NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
      assigned_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, role_id)
    );
    CREATE TABLE invitations (
      id uuid PRIMARY KEY,
      email citext NOT NULL,
      role_id uuid REFERENCES roles (id) ON DELETE SET NULL,
      token_hash text NOT NULL UNIQUE,
      invited_by uuid NOT NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- One pending invitation per address: re-inviting replaces it.
    CREATE UNIQUE INDEX invitations_pending_email_key ON invitations (email) WHERE accepted_at IS NULL AND revoked_at IS NULL;
    CREATE TABLE audit_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      action text NOT NULL,
      target_type text,
      target_id text,
      ip text,
      user_agent text,
      request_id text,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE INDEX audit_events_at_idx ON audit_events (at DESC);
  `);
  // The system roles every workspace starts with; they cannot be deleted, and admin cannot be
  // edited. The role table is passed as one escaped JSON value and unpacked in SQL.
  await query(
    `INSERT INTO roles (name, description, is_system)
     SELECT key, value, true FROM jsonb_each_text(CAST(:roles AS jsonb))`,
    { roles: JSON.stringify(SYSTEM_ROLES) },
  );
  await query(
    `INSERT INTO role_permissions (role_id, permission)
     SELECT r.id, p.permission FROM jsonb_each(CAST(:grants AS jsonb)) g
     JOIN roles r ON r.name = g.key
     CROSS JOIN LATERAL jsonb_array_elements_text(g.value) AS p(permission)`,
    { grants: JSON.stringify(SYSTEM_ROLE_PERMISSIONS) },
  );
};

export const down: Migration = async ({ context: { query } }) => {
  for (const table of ['audit_events', 'invitations', 'member_roles', 'role_permissions', 'roles', 'members']) {
    await query(`DROP TABLE ${table}`);
  }
};
