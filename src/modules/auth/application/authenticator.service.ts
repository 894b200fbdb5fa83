import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import { cacheVersion } from '../../../core/infrastructure/cache/cache-version';
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
    @Inject(TOKENS.cache) private readonly cache: Cache,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async authenticate(accessToken: string): Promise<Principal> {
    const claims = this.tokens.verifyAccessToken(accessToken);
    const [denied, snapshot] = await Promise.all([
      this.cache.get<boolean>(denylistKey(claims.jti)),
      this.snapshot(claims.sid),
    ]);
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

  private async snapshot(sessionId: string): Promise<SessionSnapshot> {
    // Versioned: a snapshot cached by a request racing a revocation is never read afterwards.
    const key = `${sessionCacheScope(sessionId)}:${await cacheVersion(this.cache, sessionCacheScope(sessionId))}`;
    const cached = await this.cache.get<SessionSnapshot>(key);
    if (cached) return cached;
    const session = await this.sessions.findSession(sessionId);
    const user = session ? await this.users.findById(session.userId) : null;
    const live =
      !!session &&
      !!user &&
      session.state(this.clock.now(), this.settings.sessionIdleSeconds) !== 'revoked' &&
      canSignIn(user, this.settings);
    const snapshot = { userId: session?.userId ?? '', live };
    await this.cache.set(key, snapshot, SNAPSHOT_TTL_SECONDS);
    return snapshot;
  }
}
