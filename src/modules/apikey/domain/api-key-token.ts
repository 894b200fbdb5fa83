import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `tak_<prefix>_<secret>`: a 64-bit public prefix (16 hex characters, the lookup key, shown in
 * lists) and a 256-bit secret (43 base64url characters). It cannot be mistaken for a JWT (no dots)
 * nor for a refresh token (`rt_`). The secret has full entropy, so one SHA-256 is the right hash:
 * a slow hash protects guessable passwords, and there is nothing to guess here.
 */
const FORMAT = /^tak_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  prefix: string;
  secret: string;
}

export const ApiKeyToken = {
  looksLikeOne(bearer: string): boolean {
    return bearer.startsWith('tak_');
  },

  parse(token: string): ParsedApiKey | null {
    const match = FORMAT.exec(token);
    return match ? { prefix: match[1]!, secret: match[2]! } : null;
  },

  generate(): { token: string; prefix: string; secretHash: Buffer } {
    const prefix = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    return { token: `tak_${prefix}_${secret}`, prefix, secretHash: ApiKeyToken.hash(secret) };
  },

  hash(secret: string): Buffer {
    return createHash('sha256').update(secret).digest();
  },

  /** Constant time, so the comparison says nothing about how much of a guess was right. */
  matches(secret: string, storedHash: Buffer): boolean {
    const candidate = ApiKeyToken.hash(secret);
    return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
  },
};
