import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { USER_REPOSITORY, type User, type UserRepository } from '../../user/user.public';
import { RefreshTokenInvalidError, RefreshTokenReusedError, SessionEndedError } from '../domain/errors';
import type { SessionsEnded } from '../domain/events';
import type { SessionRepository, TokenService } from '../domain/ports';
import type { RefreshToken } from '../domain/refresh-token';
import type { Session } from '../domain/session';
import { SessionIssuer, type TokenPair } from './session-issuer.service';
import { AUTH_SETTINGS, SESSION_REPOSITORY, TOKEN_SERVICE, type AuthSettings } from './tokens';

export const refreshInput = z.strictObject({ refreshToken: z.string().min(10).max(200) });

type Outcome = { pair: TokenPair; user: User } | { error: RefreshTokenInvalidError; reusedSession?: Session };

/**
 * Rotation: each refresh token works once and yields a new pair. Presenting a used token revokes
 * the whole session, except inside the grace window, where the token's direct successor is handed
 * back so two tabs refreshing at once stay signed in.
 */
@Service()
export class RefreshSession {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly issuer: SessionIssuer,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
  ) {}

  async execute(input: { refreshToken: string }): Promise<TokenPair & { user: User }> {
    const outcome = await this.tx.run(() => this.rotate(this.tokens.hashSecret(input.refreshToken)));
    if ('pair' in outcome) return { ...outcome.pair, user: outcome.user };
    // The revocation committed above; only now is the refusal audited and thrown.
    if (outcome.reusedSession) {
      const reused = outcome.reusedSession;
      await this.issuer.forget([reused.id]);
      await this.tx.run(async () => {
        await this.audit.record({
          action: 'auth.refresh.reused',
          actorId: reused.userId,
          targetType: 'session',
          targetId: reused.id,
        });
        // Its sockets end too: the stolen pair's holder may be listening.
        await this.events.publish<SessionsEnded>(
          domainEvent('SessionsEnded', {
            userId: reused.userId,
            sessionIds: [reused.id],
            reason: 'refresh_token_reused',
          }),
        );
      });
    }
    throw outcome.error;
  }

  private async rotate(hash: string): Promise<Outcome> {
    const now = this.clock.now();
    const token = await this.sessions.findTokenByHashForUpdate(hash);
    if (!token) return { error: new RefreshTokenInvalidError() };
    const session = await this.sessions.findSession(token.sessionId);
    const user = session ? await this.users.findById(session.userId) : null;
    if (
      !session ||
      !user ||
      session.state(now, this.settings.sessionIdleSeconds) !== 'active' ||
      !canSignIn(user, this.settings)
    ) {
      return { error: new SessionEndedError() };
    }
    const presentation = token.classify(now, this.settings.reuseWindowSeconds, await this.successorUnused(token));
    switch (presentation.kind) {
      case 'fresh': {
        const { token: successor, secret } = this.issuer.newRefreshToken(session.id, now);
        token.markRotated(successor.id, this.tokens.seal(secret), now);
        session.touch(now);
        await this.sessions.rotate(token, successor, session);
        return { pair: this.issuer.pair(user.id, session.id, secret, session.workspaceId ?? undefined), user };
      }
      case 'grace':
        return {
          pair: this.issuer.pair(
            user.id,
            session.id,
            this.tokens.unseal(presentation.successorSealed),
            session.workspaceId ?? undefined,
          ),
          user,
        };
      case 'expired':
        return { error: new RefreshTokenInvalidError() };
      case 'reused':
        session.revoke('refresh_token_reused', now);
        await this.sessions.saveSession(session);
        return { error: new RefreshTokenReusedError(), reusedSession: session };
    }
  }

  private async successorUnused(token: RefreshToken): Promise<boolean> {
    if (!token.replacedBy) return false;
    const successor = await this.sessions.findTokenById(token.replacedBy);
    return successor !== null && !successor.isUsed;
  }
}

/** Whether the account may hold a live session: banned, inactive and deleted accounts may not. */
export function canSignIn(user: User, settings: Pick<AuthSettings, 'requireEmailVerification'>): boolean {
  if (user.status === 'active') return true;
  return user.status === 'pending_verification' && !settings.requireEmailVerification;
}
