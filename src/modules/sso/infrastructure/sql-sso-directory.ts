import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import { SsoDomainTakenError } from '../domain/errors';
import type { SsoConnection, SsoDirectory, SsoDomain } from '../domain/ports';

interface ConnectionRow {
  workspace_id: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  default_role: string;
  require_sso: boolean;
  updated_at: Date;
}

interface DomainRow {
  workspace_id: string;
  domain: string;
  verification_token: string;
  verified_at: Date | null;
  created_at: Date;
}

const toConnection = (r: ConnectionRow): SsoConnection => ({
  workspaceId: r.workspace_id,
  issuer: r.issuer,
  clientId: r.client_id,
  clientSecretSealed: r.client_secret_sealed,
  defaultRole: r.default_role,
  requireSso: r.require_sso,
  updatedAt: r.updated_at,
});

const toDomain = (r: DomainRow): SsoDomain => ({
  workspaceId: r.workspace_id,
  domain: r.domain,
  verificationToken: r.verification_token,
  verifiedAt: r.verified_at,
  createdAt: r.created_at,
});

export class SqlSsoDirectory implements SsoDirectory {
  constructor(private readonly sequelize: Sequelize) {}

  async findConnection(workspaceId: string): Promise<SsoConnection | null> {
    const [row] = await this.select<ConnectionRow>(
      'SELECT * FROM public.sso_connections WHERE workspace_id = :workspaceId',
      {
        workspaceId,
      },
    );
    return row ? toConnection(row) : null;
  }

  async saveConnection(c: SsoConnection): Promise<void> {
    await this.exec(
      `INSERT INTO public.sso_connections (workspace_id, issuer, client_id, client_secret_sealed, default_role, require_sso, updated_at)
       VALUES (:workspaceId, :issuer, :clientId, :clientSecretSealed, :defaultRole, :requireSso, :updatedAt)
       ON CONFLICT (workspace_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
         client_secret_sealed = EXCLUDED.client_secret_sealed, default_role = EXCLUDED.default_role,
         require_sso = EXCLUDED.require_sso, updated_at = EXCLUDED.updated_at`,
      { ...c },
    );
  }

  async removeConnection(workspaceId: string): Promise<boolean> {
    const rows = await this.select<{ workspace_id: string }>(
      'DELETE FROM public.sso_connections WHERE workspace_id = :workspaceId RETURNING workspace_id',
      { workspaceId },
    );
    return rows.length > 0;
  }

  async listDomains(workspaceId: string): Promise<SsoDomain[]> {
    const rows = await this.select<DomainRow>(
      'SELECT * FROM public.sso_domains WHERE workspace_id = :workspaceId ORDER BY domain',
      { workspaceId },
    );
    return rows.map(toDomain);
  }

  async claimDomain(d: SsoDomain): Promise<SsoDomain> {
    const [row] = await this.select<DomainRow>(
      `INSERT INTO public.sso_domains (workspace_id, domain, verification_token, created_at)
       VALUES (:workspaceId, :domain, :verificationToken, :createdAt)
       ON CONFLICT (workspace_id, domain) DO UPDATE SET domain = EXCLUDED.domain
       RETURNING *`,
      { ...d },
    );
    return toDomain(row!);
  }

  async findDomain(workspaceId: string, domain: string): Promise<SsoDomain | null> {
    const [row] = await this.select<DomainRow>(
      'SELECT * FROM public.sso_domains WHERE workspace_id = :workspaceId AND domain = :domain',
      { workspaceId, domain },
    );
    return row ? toDomain(row) : null;
  }

  async markVerified(workspaceId: string, domain: string, at: Date): Promise<void> {
    try {
      await this.exec(
        `UPDATE public.sso_domains SET verified_at = COALESCE(verified_at, :at)
         WHERE workspace_id = :workspaceId AND domain = :domain`,
        { workspaceId, domain, at },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new SsoDomainTakenError();
      throw err;
    }
  }

  async findByVerifiedDomain(domain: string): Promise<SsoConnection | null> {
    const [row] = await this.select<ConnectionRow>(
      `SELECT c.* FROM public.sso_domains d
       JOIN public.sso_connections c ON c.workspace_id = d.workspace_id
       JOIN public.workspaces w ON w.id = d.workspace_id AND w.status = 'active' AND w.deleted_at IS NULL
       WHERE d.domain = :domain AND d.verified_at IS NOT NULL`,
      { domain },
    );
    return row ? toConnection(row) : null;
  }

  private async exec(sql: string, replacements: Record<string, unknown>): Promise<void> {
    await this.sequelize.query(sql, { replacements, transaction: UnitOfWork.current() });
  }

  private select<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: UnitOfWork.current() });
  }
}
