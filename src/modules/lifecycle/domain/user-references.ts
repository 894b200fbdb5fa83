/**
 * The columns of tenant tables that hold a user's id. An import that maps an archived account to
 * another id (an account with the same email already exists here) rewrites exactly these; a test
 * checks the list against the migrated tenant schema, so a migration that adds such a column must
 * add it here. Ids inside JSON payloads (a notification's data) are left as they were.
 */
export interface UserReference {
  column: string;
  /** Only in rows where this other column holds this value (an audit target that is a user). */
  when?: { column: string; equals: string };
}

export const TENANT_USER_REFERENCES: Readonly<Record<string, readonly UserReference[]>> = {
  members: [{ column: 'user_id' }],
  member_roles: [{ column: 'user_id' }],
  invitations: [{ column: 'invited_by' }],
  notifications: [{ column: 'recipient_id' }],
  audit_events: [{ column: 'actor_id' }, { column: 'target_id', when: { column: 'target_type', equals: 'user' } }],
};
