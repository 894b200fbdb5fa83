import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../domain/ports';

/**
 * bcrypt reads at most 72 bytes, so two long passwords sharing their first 72 bytes would match.
 * Each password is first reduced to its SHA-256 digest in base64 (44 bytes, no NUL), so every
 * character of a password up to the policy's 128 counts.
 */
const prehash = (password: string) => createHash('sha256').update(password, 'utf8').digest('base64');

export class BcryptPasswordHasher implements PasswordHasher {
  private readonly dummyHash: string;

  constructor(private readonly rounds: number) {
    // Same cost as real hashes, so a login for an unknown email takes as long as one for a known one.
    this.dummyHash = bcrypt.hashSync(prehash('dummy password for timing equalisation'), rounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(prehash(password), this.rounds);
  }

  async verify(password: string, hash: string | null): Promise<boolean> {
    const matches = await bcrypt.compare(prehash(password), hash ?? this.dummyHash);
    return hash !== null && matches;
  }
}
