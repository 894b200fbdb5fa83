import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import type { Clock } from '../../../core/domain/clock';
import type { User } from '../../user/user.public';
import type { SessionRepository, TokenService } from '../domain/ports';
import { RefreshToken } from '../domain/refresh-token';
import { Session } from '../domain/session';
import { AUTH_SETTINGS, SESSION_REPOSITORY, TOKEN_SERVICE, type AuthSettings } from './tokens';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export const sessionCacheScope = (sessionId: string) => `auth:session:${sessionId}`;
export const denylistKey = (tokenId: string) => `auth:deny:${tokenId}`;

/** Starts sessions and mints the tokens that represent them; forgets cached session state on revocation. */
@Service()
export class SessionIssuer {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.decisions) private readonly decisions: DecisionCache,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async start(user: User, workspaceId?: string): Promise<{ session: Session; pair: TokenPair }> {
    const now = this.clock.now();
    const session = Session.start({
      id: randomUUID(),
      userId: user.id,
      now,
      absoluteLifetimeSeconds: this.settings.sessionAbsoluteSeconds,
      workspaceId,
    });
    const { token, secret } = this.newRefreshToken(session.id, now);
    await this.sessions.create(session, token);
    return { session, pair: this.pair(user.id, session.id, secret, workspaceId) };
  }

  newRefreshToken(sessionId: string, now: Date): { token: RefreshToken; secret: string } {
    const { secret, hash } = this.tokens.mintSecret('rt');
    const token = RefreshToken.issue({
      id: randomUUID(),
      sessionId,
      tokenHash: hash,
      now,
      ttlSeconds: this.settings.refreshTokenTtlSeconds,
    });
    return { token, secret };
  }

  pair(userId: string, sessionId: string, refreshToken: string, workspaceId?: string): TokenPair {
    const { token } = this.tokens.signAccessToken({ sub: userId, sid: sessionId, wid: workspaceId });
    return { accessToken: token, refreshToken, expiresIn: this.settings.accessTokenTtlSeconds };
  }

  /** Access tokens of these sessions stop working on their next request, on every instance. */
  async forget(sessionIds: string[]): Promise<void> {
    await this.decisions.bump(...sessionIds.map(sessionCacheScope));
  }
}
