import { createHash, createHmac, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../../core/domain/clock';
import { Sealer } from '../../../core/utils/sealer';
import { AccessTokenInvalidError } from '../domain/errors';
import type { AccessClaims, TokenService } from '../domain/ports';

const ISSUER = 'tenant-api';
const AUDIENCE = 'tenant-api';
const ACCESS_TYPE = 'access';

/**
 * HS256 access tokens (the algorithm is pinned on verify, so `alg: none` and algorithm swaps fail)
 * and opaque 256-bit secrets for refresh and email tokens, stored only as SHA-256 hashes.
 */
export class JwtTokenService implements TokenService {
  private readonly sealer: Sealer;
  private readonly csrfKey: Buffer;
  private readonly signingKey: KeyObject;
  /**
   * Tokens whose signature and claims were already checked, by their exact text: a client sends
   * the same token on every request for 15 minutes, and the HMAC and two JSON parses were a tenth
   * of a cheap request. Only a verified token gets in; its expiry is checked on every use.
   */
  private readonly verified = new LRUCache<string, AccessClaims>({ max: 10_000 });

  constructor(
    private readonly settings: { jwtSecret: string; refreshTokenSecret: string; accessTokenTtlSeconds: number },
    private readonly clock: Clock,
  ) {
    this.sealer = Sealer.fromSecret(settings.refreshTokenSecret, 'refresh-token-seal');
    // A key of its own: a CSRF token never doubles as anything the other keys protect.
    this.csrfKey = createHmac('sha256', settings.refreshTokenSecret).update('csrf-token').digest();
    // Built once: given a string, jsonwebtoken builds a key object on every sign and verify (a
    // failed createPublicKey first), which was a fifth of the CPU of an authenticated request.
    this.signingKey = createSecretKey(Buffer.from(settings.jwtSecret, 'utf8'));
  }

  signAccessToken(input: { sub: string; sid: string; wid?: string }) {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const claims: AccessClaims = { ...input, jti: randomUUID(), exp: iat + this.settings.accessTokenTtlSeconds };
    const payload = { ...claims, typ: ACCESS_TYPE, iat, iss: ISSUER, aud: AUDIENCE };
    if (!input.wid) delete (payload as { wid?: string }).wid;
    return { token: jwt.sign(payload, this.signingKey, { algorithm: 'HS256' }), claims };
  }

  verifyAccessToken(token: string): AccessClaims {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const known = this.verified.get(token);
    if (known) {
      if (known.exp > nowSeconds) return known;
      this.verified.delete(token);
      throw new AccessTokenInvalidError('The access token has expired');
    }
    const claims = this.verifySignature(token, nowSeconds);
    this.verified.set(token, claims);
    return claims;
  }

  private verifySignature(token: string, nowSeconds: number): AccessClaims {
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.signingKey, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTimestamp: nowSeconds,
      }) as jwt.JwtPayload;
    } catch (err) {
      throw new AccessTokenInvalidError(
        err instanceof jwt.TokenExpiredError ? 'The access token has expired' : 'The access token is invalid',
      );
    }
    const { sub, sid, jti, wid, exp, typ } = payload as jwt.JwtPayload & {
      sid?: unknown;
      wid?: unknown;
      typ?: unknown;
    };
    if (typ !== ACCESS_TYPE || typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string' || !exp) {
      throw new AccessTokenInvalidError('The access token is invalid');
    }
    return { sub, sid, jti, exp, wid: typeof wid === 'string' ? wid : undefined };
  }

  mintSecret(prefix: string) {
    const secret = `${prefix}_${randomBytes(32).toString('base64url')}`;
    return { secret, hash: this.hashSecret(secret) };
  }

  hashSecret(secret: string): string {
    return createHash('sha256').update(secret).digest('hex');
  }

  csrfTokenFor(sessionId: string): string {
    return createHmac('sha256', this.csrfKey).update(sessionId).digest('base64url');
  }

  seal(secret: string): string {
    return this.sealer.seal(secret);
  }

  unseal(sealed: string): string {
    return this.sealer.unseal(sealed);
  }
}
