import type { EmailToken, EmailTokenPurpose } from './email-token';
import type { MfaChallenge } from './mfa-challenge';
import type { RefreshToken } from './refresh-token';
import type { Session } from './session';
import type { TotpFactor } from './totp-factor';

/** What a user sees of one of their sessions: where and when it signed in, when it was last refreshed. */
export interface SessionInfo {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

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
  /** The user's live sessions (not revoked, expired or idle at `now`), most recently used first. */
  listLive(
    userId: string,
    input: { now: Date; idleSeconds: number; page: number; limit: number },
  ): Promise<{ items: SessionInfo[]; total: number }>;
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

/** public.mfa_*: the TOTP factor (seed sealed at rest by the adapter), recovery codes, sign-in challenges. */
export interface MfaRepository {
  findFactor(userId: string): Promise<TotpFactor | null>;
  /** Locks the factor row: concurrent codes of one user queue here, so a code is accepted once. */
  findFactorForUpdate(userId: string): Promise<TotpFactor | null>;
  /** Inserts or replaces the user's factor. */
  saveFactor(factor: TotpFactor): Promise<void>;
  /** Removes the factor and every recovery code. */
  deleteFactor(userId: string): Promise<void>;
  replaceRecoveryCodes(userId: string, codeHashes: string[], now: Date): Promise<void>;
  /** Marks an unused code used; false when there is none with that hash. */
  useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;
  createChallenge(challenge: MfaChallenge): Promise<void>;
  findChallengeByHashForUpdate(tokenHash: string): Promise<MfaChallenge | null>;
  saveChallenge(challenge: MfaChallenge): Promise<void>;
  /** Deletes challenges that expired before the date; returns how many. */
  purgeChallenges(expiredBefore: Date): Promise<number>;
}

/** RFC 6238 codes and their provisioning (otplib and qrcode behind it). */
export interface TotpService {
  generateSecret(): string;
  /** The otpauth:// URI an authenticator app reads. */
  keyUri(input: { issuer: string; account: string; secret: string }): string;
  /** The URI as a QR code: an SVG image as a data: URL. */
  qrCode(uri: string): Promise<string>;
  /** The time step the code belongs to (±1 step of clock drift), or null if it matches none. */
  verify(input: { secret: string; code: string; now: Date }): Promise<number | null>;
}
