import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import { readVersioned, writeVersioned } from '../../../core/infrastructure/cache/cache-version';
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
    const scope = sessionCacheScope(claims.sid);
    // One round trip: the session's version, its cached snapshot and the token's denylist entry.
    const cached = await readVersioned<SessionSnapshot>(
      this.cache,
      `${scope}:snapshot`,
      [scope],
      [denylistKey(claims.jti)],
    );
    const [denied] = cached.extras;
    const snapshot = cached.value ?? (await this.load(claims.sid, `${scope}:snapshot`, cached.stamp));
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
  private async load(sessionId: string, key: string, stamp: string): Promise<SessionSnapshot> {
    const session = await this.sessions.findSession(sessionId);
    const user = session ? await this.users.findById(session.userId) : null;
    const live =
      !!session &&
      !!user &&
      session.state(this.clock.now(), this.settings.sessionIdleSeconds) !== 'revoked' &&
      canSignIn(user, this.settings);
    const snapshot = { userId: session?.userId ?? '', live };
    await writeVersioned(this.cache, key, snapshot, stamp, SNAPSHOT_TTL_SECONDS);
    return snapshot;
  }
}
