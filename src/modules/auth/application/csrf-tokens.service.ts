import { Inject, Service } from 'typedi';
import { RefreshTokenInvalidError } from '../domain/errors';
import type { SessionRepository, TokenService } from '../domain/ports';
import { SESSION_REPOSITORY, TOKEN_SERVICE } from './tokens';

/**
 * The double-submit token of cookie mode, bound to the session: an HMAC of the session id. A
 * token read from another session, or one an attacker planted in both the cookie and the header,
 * does not match. The session is found from the refresh cookie, the only credential a cookie-mode
 * request carries; rotation keeps the session, so the token stays valid across refreshes.
 */
@Service()
export class CsrfTokens {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
  ) {}

  /** Throws RefreshTokenInvalidError when the refresh token belongs to no session. */
  async forRefreshToken(refreshToken: string): Promise<string> {
    const token = await this.sessions.findTokenByHash(this.tokens.hashSecret(refreshToken));
    if (!token) throw new RefreshTokenInvalidError();
    return this.tokens.csrfTokenFor(token.sessionId);
  }
}
