import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets the server must read back later (a rotated refresh token's successor,
 * an email carrying a link token while it waits in the outbox). The key is derived from a server
 * secret and a purpose, so one secret yields independent keys.
 */
export class Sealer {
  private constructor(private readonly key: Buffer) {}

  static fromSecret(secret: string, purpose: string): Sealer {
    return new Sealer(createHmac('sha256', secret).update(purpose).digest());
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** Throws when the text was sealed under another key or altered. */
  unseal(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
