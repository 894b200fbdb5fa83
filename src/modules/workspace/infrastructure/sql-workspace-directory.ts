import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import type { Page } from '../../../core/domain/page';
import { SchemaName } from '../../../core/domain/schema-name';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import { SlugTakenError } from '../domain/errors';
import type { WorkspaceAccess, WorkspaceDirectory } from '../domain/ports';
import { Slug } from '../domain/slug';
import { Workspace, type WorkspaceStatus } from '../domain/workspace';

interface Row {
  id: string;
  name: string;
  slug: string;
  schema_name: string;
  shard: string;
  owner_id: string;
  status: WorkspaceStatus;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  total?: string;
}

const toDomain = (r: Row) =>
  Workspace.restore({
    id: r.id,
    name: r.name,
    slug: Slug.create(r.slug),
    schemaName: SchemaName.parse(r.schema_name),
    shard: r.shard,
    ownerId: r.owner_id,
    status: r.status,
    settings: r.settings,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
  });

const toRow = (w: Workspace) => {
  const p = w.toProps();
  return { ...p, slug: p.slug.value, schemaName: p.schemaName.value, settings: JSON.stringify(p.settings) };
};

export class SqlWorkspaceDirectory implements WorkspaceDirectory {
  /** `shards`: the databases new tenants may be placed on (the main one first). */
  constructor(
    private readonly sequelize: Sequelize,
    private readonly shards: string[] = ['main'],
  ) {}

  async create(workspace: Workspace): Promise<void> {
    try {
      await this.exec(
        `INSERT INTO public.workspaces (id, name, slug, schema_name, shard, owner_id, status, settings, created_at, updated_at)
         VALUES (:id, :name, :slug, :schemaName, :shard, :ownerId, :status, CAST(:settings AS jsonb), :createdAt, :updatedAt)`,
        toRow(workspace),
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new SlugTakenError();
      throw err;
    }
  }

  async save(workspace: Workspace): Promise<void> {
    await this.exec(
      `UPDATE public.workspaces SET name = :name, status = :status, settings = CAST(:settings AS jsonb),
         updated_at = :updatedAt, deleted_at = :deletedAt WHERE id = :id`,
      toRow(workspace),
    );
  }

  async findById(id: string): Promise<Workspace | null> {
    const rows = await this.select<Row>('SELECT * FROM public.workspaces WHERE id = :id AND deleted_at IS NULL', {
      id,
    });
    return rows[0] ? toDomain(rows[0]) : null;
  }

  async listForMember(userId: string, { page, limit }: { page: number; limit: number }): Promise<Page<Workspace>> {
    const rows = await this.select<Row>(
      `SELECT w.*, count(*) OVER () AS total FROM public.workspaces w
       JOIN public.workspace_memberships m ON m.workspace_id = w.id AND m.user_id = :userId AND m.status = 'active'
       WHERE w.deleted_at IS NULL AND w.status = 'active'
       ORDER BY w.created_at DESC, w.id LIMIT :limit OFFSET :offset`,
      { userId, limit, offset: (page - 1) * limit },
    );
    const total = rows[0] ? Number(rows[0].total) : await this.countMemberships(userId);
    return { items: rows.map(toDomain), meta: { page, limit, total } };
  }

  async countOwnedBy(userId: string): Promise<number> {
    const [row] = await this.select<{ count: string }>(
      "SELECT count(*) FROM public.workspaces WHERE owner_id = :userId AND deleted_at IS NULL AND status <> 'deleted'",
      { userId },
    );
    return Number(row?.count ?? 0);
  }

  async addMembership(workspaceId: string, userId: string): Promise<void> {
    await this.exec(
      `INSERT INTO public.workspace_memberships (workspace_id, user_id, status) VALUES (:workspaceId, :userId, 'active')
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET status = 'active', joined_at = now()`,
      { workspaceId, userId },
    );
  }

  async removeMembership(workspaceId: string, userId: string): Promise<void> {
    await this.exec(
      "UPDATE public.workspace_memberships SET status = 'removed' WHERE workspace_id = :workspaceId AND user_id = :userId",
      { workspaceId, userId },
    );
  }

  /** The shard with the fewest live tenants (ties: the main one, then the first configured). */
  async placeNewTenant(): Promise<string> {
    const { shards } = this;
    if (shards.length === 1) return shards[0]!;
    const rows = await this.select<{ shard: string; n: string }>(
      `SELECT shard, count(*) AS n FROM public.workspaces WHERE deleted_at IS NULL GROUP BY shard`,
      {},
    );
    const load = (shard: string) => Number(rows.find((r) => r.shard === shard)?.n ?? 0);
    return shards.reduce((best, shard) => (load(shard) < load(best) ? shard : best));
  }

  async findAccess(workspaceId: string, userId: string): Promise<WorkspaceAccess | null> {
    const rows = await this.select<{ schema_name: string; shard: string; moving: boolean; require_mfa: boolean }>(
      `SELECT w.schema_name, w.shard, w.moving_to IS NOT NULL AS moving,
         COALESCE(w.settings -> 'requireMfa' = 'true'::jsonb, false) AS require_mfa
       FROM public.workspaces w
       JOIN public.workspace_memberships m ON m.workspace_id = w.id
       WHERE w.id = :workspaceId AND m.user_id = :userId AND m.status = 'active'
         AND w.status = 'active' AND w.deleted_at IS NULL`,
      { workspaceId, userId },
    );
    const [row] = rows;
    return row
      ? { workspaceId, schemaName: row.schema_name, shard: row.shard, moving: row.moving, requireMfa: row.require_mfa }
      : null;
  }

  async memberIds(workspaceId: string): Promise<string[]> {
    const rows = await this.select<{ user_id: string }>(
      "SELECT user_id FROM public.workspace_memberships WHERE workspace_id = :workspaceId AND status = 'active'",
      { workspaceId },
    );
    return rows.map((r) => r.user_id);
  }

  async setLastWorkspace(userId: string, workspaceId: string): Promise<void> {
    await this.exec('UPDATE public.users SET last_workspace_id = :workspaceId WHERE id = :userId', {
      userId,
      workspaceId,
    });
  }

  async findLastWorkspace(userId: string): Promise<string | null> {
    const [row] = await this.select<{ last_workspace_id: string | null }>(
      'SELECT last_workspace_id FROM public.users WHERE id = :userId',
      { userId },
    );
    return row?.last_workspace_id ?? null;
  }

  private async countMemberships(userId: string): Promise<number> {
    const [row] = await this.select<{ count: string }>(
      `SELECT count(*) FROM public.workspace_memberships m JOIN public.workspaces w ON w.id = m.workspace_id
       WHERE m.user_id = :userId AND m.status = 'active' AND w.status = 'active' AND w.deleted_at IS NULL`,
      { userId },
    );
    return Number(row?.count ?? 0);
  }

  private async exec(sql: string, replacements: Record<string, unknown>): Promise<void> {
    await this.sequelize.query(sql, { replacements, transaction: UnitOfWork.current() });
  }

  private select<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: UnitOfWork.current() });
  }
}
