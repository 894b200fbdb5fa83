import type { EmailToken, EmailTokenPurpose } from './email-token';
import type { RefreshToken } from './refresh-token';
import type { Session } from './session';

export interface SessionRepository {
  create(session: Session, firstToken: RefreshToken): Promise<void>;
  /** Locks the token row (SELECT ... FOR UPDATE): concurrent refreshes of one token queue here. */
  findTokenByHashForUpdate(tokenHash: string): Promise<RefreshToken | null>;
  /** The same token without a lock: for reads that change nothing (which session is this?). */
  findTokenByHash(tokenHash: string): Promise<RefreshToken | null>;
  findTokenById(id: string): Promise<RefreshToken | null>;
  findSession(id: string): Promise<Session | null>;
  /** Persists the rotation: the used token and its successor. */
  rotate(used: RefreshToken, successor: RefreshToken, session: Session): Promise<void>;
  saveSession(session: Session): Promise<void>;
  /** Revokes every live session of a user (optionally but one); returns the revoked ids. */
  revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<string[]>;
  /**
   * Deletes what can never be used again: sessions that ended (revoked, expired, or idle) before
   * `endedBefore`, with their tokens, and refresh tokens that expired before it. Returns counts.
   */
  purgeEnded(input: { endedBefore: Date; idleSeconds: number }): Promise<{ sessions: number; refreshTokens: number }>;
}

export interface EmailTokenRepository {
  /** Stores a new token and retires any unused one of the same purpose for the user. */
  replace(token: EmailToken): Promise<void>;
  findByHashForUpdate(purpose: EmailTokenPurpose, tokenHash: string): Promise<EmailToken | null>;
  save(token: EmailToken): Promise<void>;
  /** Retires every unused token of the user (all purposes): links mailed before no longer work. */
  retireAll(userId: string): Promise<void>;
  /** Deletes tokens used or expired before the date; returns how many. */
  purgeSpent(before: Date): Promise<number>;
}

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  wid?: string;
  exp: number;
}

/** Token cryptography: signing access tokens, minting and hashing opaque secrets. */
export interface TokenService {
  signAccessToken(claims: { sub: string; sid: string; wid?: string }): { token: string; claims: AccessClaims };
  /** Throws AccessTokenInvalidError for anything but a valid, unexpired access token. */
  verifyAccessToken(token: string): AccessClaims;
  /** A new opaque secret and the hash to store (the secret itself is never stored). */
  mintSecret(prefix: string): { secret: string; hash: string };
  hashSecret(secret: string): string;
  /**
   * The cookie-mode CSRF token of a session: a keyed hash (HMAC) of its id, so it cannot be
   * computed without the server's key and belongs to that one session.
   */
  csrfTokenFor(sessionId: string): string;
  /** Reversible encryption for the grace-window successor. */
  seal(secret: string): string;
  unseal(sealed: string): string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares against a real hash, or against a fixed dummy one when hash is null (same cost). */
  verify(password: string, hash: string | null): Promise<boolean>;
}

/** Whether an address must sign in through single sign-on (the sso module answers; never by default). */
export interface SsoPolicy {
  requiredFor(email: string): Promise<boolean>;
}

/** Which workspace a new session starts in; the workspace module provides it (none by default). */
export interface DefaultWorkspace {
  for(userId: string): Promise<string | undefined>;
}
