import type { Sequelize } from 'sequelize';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import { Invitation } from '../domain/invitation';
import type { TenantInvitations } from '../domain/ports';

interface Row {
  id: string;
  email: string;
  role_name: string;
  token_hash: string;
  invited_by: string;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

/** Invitations of the current tenant (unqualified tables, tenant scope required). */
export class SqlTenantInvitations implements TenantInvitations {
  constructor(private readonly sequelize: Sequelize) {}

  async replacePending(invitation: Invitation): Promise<void> {
    const i = invitation.toProps();
    // Two invitations for one address at once: the second waits, then withdraws the first.
    await this.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || :email))', { email: i.email });
    await this.query(
      'UPDATE invitations SET revoked_at = now() WHERE email = :email AND accepted_at IS NULL AND revoked_at IS NULL',
      { email: i.email },
    );
    await this.query(
      `INSERT INTO invitations (id, email, role_id, token_hash, invited_by, expires_at)
       SELECT :id, :email, r.id, :tokenHash, :invitedBy, :expiresAt FROM roles r WHERE r.name = :roleName`,
      { ...i },
    );
  }

  async findByHashForUpdate(tokenHash: string): Promise<Invitation | null> {
    const [r] = await this.query<Row>(
      `SELECT i.*, r.name AS role_name FROM invitations i JOIN roles r ON r.id = i.role_id
       WHERE i.token_hash = :tokenHash FOR UPDATE OF i`,
      { tokenHash },
    );
    return r
      ? Invitation.restore({
          id: r.id,
          email: r.email,
          roleName: r.role_name,
          tokenHash: r.token_hash,
          invitedBy: r.invited_by,
          expiresAt: r.expires_at,
          acceptedAt: r.accepted_at,
          revokedAt: r.revoked_at,
        })
      : null;
  }

  async save(invitation: Invitation): Promise<void> {
    const i = invitation.toProps();
    await this.query('UPDATE invitations SET accepted_at = :acceptedAt, revoked_at = :revokedAt WHERE id = :id', {
      ...i,
    });
  }

  private query<T extends object = object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return tenantQuery<T>(this.sequelize, sql, replacements);
  }
}
