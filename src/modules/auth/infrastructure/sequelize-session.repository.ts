import { QueryTypes, type Sequelize } from 'sequelize';
import { requestContext } from '../../../core/context/request-context';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { SessionInfo, SessionRepository } from '../domain/ports';
import { RefreshToken } from '../domain/refresh-token';
import { Session } from '../domain/session';

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  workspace_id: string | null;
}

interface TokenRow {
  id: string;
  session_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  replaced_by: string | null;
  successor_sealed: string | null;
}

const toSession = (r: SessionRow) =>
  Session.restore({
    id: r.id,
    userId: r.user_id,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
    workspaceId: r.workspace_id,
  });

const toToken = (r: TokenRow) =>
  RefreshToken.restore({
    id: r.id,
    sessionId: r.session_id,
    tokenHash: r.token_hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    replacedBy: r.replaced_by,
    successorSealed: r.successor_sealed,
  });

export class SequelizeSessionRepository implements SessionRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async create(session: Session, firstToken: RefreshToken): Promise<void> {
    const s = session.toProps();
    const { ip, userAgent } = requestContext.current();
    await this.exec(
      `INSERT INTO public.sessions (id, user_id, created_at, last_used_at, expires_at, ip, user_agent, workspace_id)
       VALUES (:id, :userId, :createdAt, :lastUsedAt, :expiresAt, :ip, :userAgent, :workspaceId)`,
      { ...s, ip: ip ?? null, userAgent: userAgent?.slice(0, 512) ?? null },
    );
    await this.insertToken(firstToken);
  }

  async findTokenByHashForUpdate(tokenHash: string): Promise<RefreshToken | null> {
    const rows = await this.select<TokenRow>(
      'SELECT * FROM public.refresh_tokens WHERE token_hash = :tokenHash FOR UPDATE',
      { tokenHash },
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  async findTokenByHash(tokenHash: string): Promise<RefreshToken | null> {
    const rows = await this.select<TokenRow>('SELECT * FROM public.refresh_tokens WHERE token_hash = :tokenHash', {
      tokenHash,
    });
    return rows[0] ? toToken(rows[0]) : null;
  }

  async findTokenById(id: string): Promise<RefreshToken | null> {
    const rows = await this.select<TokenRow>('SELECT * FROM public.refresh_tokens WHERE id = :id', { id });
    return rows[0] ? toToken(rows[0]) : null;
  }

  async findSession(id: string): Promise<Session | null> {
    const rows = await this.select<SessionRow>('SELECT * FROM public.sessions WHERE id = :id', { id });
    return rows[0] ? toSession(rows[0]) : null;
  }

  async rotate(used: RefreshToken, successor: RefreshToken, session: Session): Promise<void> {
    const u = used.toProps();
    await this.exec(
      `UPDATE public.refresh_tokens SET used_at = :usedAt, replaced_by = :replacedBy, successor_sealed = :successorSealed
       WHERE id = :id`,
      { ...u },
    );
    await this.insertToken(successor);
    await this.saveSession(session);
  }

  async saveSession(session: Session): Promise<void> {
    await this.exec(
      `UPDATE public.sessions SET last_used_at = :lastUsedAt, revoked_at = :revokedAt, revoked_reason = :revokedReason
       WHERE id = :id`,
      { ...session.toProps() },
    );
  }

  async listLive(
    userId: string,
    input: { now: Date; idleSeconds: number; page: number; limit: number },
  ): Promise<{ items: SessionInfo[]; total: number }> {
    const live = `FROM public.sessions
       WHERE user_id = :userId AND revoked_at IS NULL AND expires_at > :now
         AND last_used_at >= CAST(:now AS timestamptz) - make_interval(secs => :idleSeconds)`;
    const replacements = { userId, now: input.now, idleSeconds: input.idleSeconds };
    const [counted] = await this.select<{ total: string }>(`SELECT count(*) AS total ${live}`, replacements);
    const rows = await this.select<SessionRow & { ip: string | null; user_agent: string | null }>(
      `SELECT * ${live} ORDER BY last_used_at DESC, created_at DESC, id LIMIT :limit OFFSET :offset`,
      { ...replacements, limit: input.limit, offset: (input.page - 1) * input.limit },
    );
    const items = rows.map((r) => ({
      id: r.id,
      userAgent: r.user_agent,
      ip: r.ip,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
    }));
    return { items, total: Number(counted?.total ?? 0) };
  }

  async revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<string[]> {
    const rows = await this.select<{ id: string }>(
      `UPDATE public.sessions SET revoked_at = :now, revoked_reason = :reason
       WHERE user_id = :userId AND revoked_at IS NULL AND (CAST(:except AS uuid) IS NULL OR id <> CAST(:except AS uuid))
       RETURNING id`,
      { userId, reason, now, except: exceptSessionId ?? null },
    );
    return rows.map((r) => r.id);
  }

  async purgeEnded(input: {
    endedBefore: Date;
    idleSeconds: number;
  }): Promise<{ sessions: number; refreshTokens: number }> {
    const tokens = await this.select<{ id: string }>(
      'DELETE FROM public.refresh_tokens WHERE expires_at < :endedBefore RETURNING id',
      { endedBefore: input.endedBefore },
    );
    const sessions = await this.select<{ id: string; tokens: string }>(
      `WITH ended AS (
         DELETE FROM public.sessions
         WHERE revoked_at < :endedBefore OR expires_at < :endedBefore
            OR last_used_at < CAST(:endedBefore AS timestamptz) - make_interval(secs => :idleSeconds)
         RETURNING id)
       SELECT id FROM ended`,
      { endedBefore: input.endedBefore, idleSeconds: input.idleSeconds },
    );
    return { sessions: sessions.length, refreshTokens: tokens.length };
  }

  private async insertToken(token: RefreshToken): Promise<void> {
    await this.exec(
      `INSERT INTO public.refresh_tokens (id, session_id, token_hash, created_at, expires_at)
       VALUES (:id, :sessionId, :tokenHash, :createdAt, :expiresAt)`,
      { ...token.toProps() },
    );
  }

  private async exec(sql: string, replacements: Record<string, unknown>): Promise<void> {
    await this.sequelize.query(sql, { replacements, transaction: UnitOfWork.current() });
  }

  private async select<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: UnitOfWork.current() });
  }
}
