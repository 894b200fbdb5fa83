import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Decision, DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import type { Principal } from '../../../core/http/principal';
import { USER_REPOSITORY, type UserRepository } from '../../user/user.public';
import { AccessTokenInvalidError } from '../domain/errors';
import type { SessionRepository, TokenService } from '../domain/ports';
import { canSignIn } from './refresh-session.use-case';
import { denylistKey, sessionCacheScope } from './session-issuer.service';
import { AUTH_SETTINGS, SESSION_REPOSITORY, TOKEN_SERVICE, type AuthSettings } from './tokens';

interface SessionSnapshot {
  userId: string;
  live: boolean;
}

/** How long a session's liveness is trusted from cache; every revocation bumps the entry's version at once. */
const SNAPSHOT_TTL_SECONDS = 60;

/**
 * Turns a bearer token into a Principal: signature, expiry and type (TokenService), the denylist,
 * then the session and the account still being live (cached, invalidated on logout, reset, ban).
 */
@Service()
export class Authenticator {
  constructor(
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.decisions) private readonly decisions: DecisionCache,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async authenticate(accessToken: string): Promise<Principal> {
    const claims = this.tokens.verifyAccessToken(accessToken);
    const scope = sessionCacheScope(claims.sid);
    // In process, or one round trip: the session's version, its snapshot and the token's denylist
    // entry. (A logout both denylists the token and bumps the session, so a near hit is never denied.)
    const cached = await this.decisions.read<SessionSnapshot>(`${scope}:snapshot`, [scope], {
      ttlSeconds: SNAPSHOT_TTL_SECONDS,
      extraKeys: [denylistKey(claims.jti)],
    });
    const [denied] = cached.extras;
    const snapshot = cached.value ?? (await this.load(claims.sid, cached));
    if (denied) throw new AccessTokenInvalidError('The access token has been revoked');
    if (!snapshot.live || snapshot.userId !== claims.sub) throw new AccessTokenInvalidError('The session has ended');
    return {
      userId: claims.sub,
      sessionId: claims.sid,
      tokenId: claims.jti,
      workspaceId: claims.wid,
      expiresAt: claims.exp,
    };
  }

  /** Versioned: a snapshot cached by a request racing a revocation is never read afterwards. */
  private async load(sessionId: string, cached: Decision<SessionSnapshot>): Promise<SessionSnapshot> {
    const session = await this.sessions.findSession(sessionId);
    const user = session ? await this.users.findById(session.userId) : null;
    const live =
      !!session &&
      !!user &&
      session.state(this.clock.now(), this.settings.sessionIdleSeconds) !== 'revoked' &&
      canSignIn(user, this.settings);
    const snapshot = { userId: session?.userId ?? '', live };
    await this.decisions.write(cached, snapshot);
    return snapshot;
  }
}
