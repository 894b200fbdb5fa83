import { QueryTypes, type Sequelize } from 'sequelize';
import type { Page } from '../../../core/domain/page';
import { selectRows } from '../../../core/infrastructure/database/sql';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import { ApiKey } from '../domain/api-key';
import type { ApiKeyCredential, ApiKeyRepository } from '../domain/ports';

interface Row {
  id: string;
  workspace_id: string;
  prefix: string;
  name: string;
  role_ids: string[];
  created_by: string | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  total?: string;
}

const toDomain = (r: Row) =>
  ApiKey.restore({
    id: r.id,
    workspaceId: r.workspace_id,
    prefix: r.prefix,
    name: r.name,
    roleIds: r.role_ids,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    createdAt: r.created_at,
  });

/** uuid[] as a bound array literal (ids are uuids this code produced, never client text). */
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async create(key: ApiKey, secretHash: Buffer): Promise<void> {
    const p = key.toProps();
    await this.sequelize.query(
      `INSERT INTO public.api_keys (id, workspace_id, prefix, secret_hash, name, role_ids, created_by, expires_at, created_at)
       VALUES (:id, :workspaceId, :prefix, decode(:secretHash, 'base64'), :name, CAST(:roleIds AS uuid[]),
               :createdBy, :expiresAt, :createdAt)`,
      {
        replacements: { ...p, roleIds: uuidArray(p.roleIds), secretHash: secretHash.toString('base64') },
        transaction: UnitOfWork.current(),
      },
    );
  }

  async findCredential(prefix: string): Promise<ApiKeyCredential | null> {
    const [row] = await selectRows<{
      id: string;
      workspace_id: string;
      schema_name: string | null;
      name: string;
      role_ids: string[];
      secret_hash: string;
      expires_at: Date | null;
      revoked_at: Date | null;
    }>(
      this.sequelize,
      `SELECT k.id, k.workspace_id, k.name, k.role_ids, encode(k.secret_hash, 'base64') AS secret_hash,
              k.expires_at, k.revoked_at,
              CASE WHEN w.status = 'active' AND w.deleted_at IS NULL THEN w.schema_name END AS schema_name
       FROM public.api_keys k JOIN public.workspaces w ON w.id = k.workspace_id
       WHERE k.prefix = :prefix`,
      { prefix },
    );
    if (!row) return null;
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      schemaName: row.schema_name,
      prefix,
      name: row.name,
      roleIds: row.role_ids,
      secretHash: row.secret_hash,
      expiresAt: row.expires_at?.toISOString() ?? null,
      revokedAt: row.revoked_at?.toISOString() ?? null,
    };
  }

  async findById(workspaceId: string, id: string): Promise<ApiKey | null> {
    const [row] = await this.select<Row>(
      'SELECT * FROM public.api_keys WHERE id = :id AND workspace_id = :workspaceId',
      { id, workspaceId },
    );
    return row ? toDomain(row) : null;
  }

  async list(workspaceId: string, { page, limit }: { page: number; limit: number }): Promise<Page<ApiKey>> {
    const rows = await this.select<Row>(
      `SELECT *, count(*) OVER () AS total FROM public.api_keys WHERE workspace_id = :workspaceId
       ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset`,
      { workspaceId, limit, offset: (page - 1) * limit },
    );
    const total = rows[0]
      ? Number(rows[0].total)
      : Number(
          (
            await this.select<{ count: string }>(
              'SELECT count(*) FROM public.api_keys WHERE workspace_id = :workspaceId',
              { workspaceId },
            )
          )[0]?.count ?? 0,
        );
    return { items: rows.map(toDomain), meta: { page, limit, total } };
  }

  async save(key: ApiKey): Promise<void> {
    const p = key.toProps();
    await this.sequelize.query('UPDATE public.api_keys SET revoked_at = :revokedAt WHERE id = :id', {
      replacements: { id: p.id, revokedAt: p.revokedAt },
      transaction: UnitOfWork.current(),
    });
  }

  async prefixesOf(workspaceId: string): Promise<string[]> {
    const rows = await this.select<{ prefix: string }>(
      'SELECT prefix FROM public.api_keys WHERE workspace_id = :workspaceId',
      { workspaceId },
    );
    return rows.map((r) => r.prefix);
  }

  async touch(id: string, at: Date): Promise<void> {
    // Outside the request's transaction: a read-only route has none, and a refused request
    // rolls back; the use happened either way.
    await this.sequelize.query(
      'UPDATE public.api_keys SET last_used_at = :at WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)',
      { replacements: { id, at } },
    );
  }

  private select<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: UnitOfWork.current() });
  }
}
