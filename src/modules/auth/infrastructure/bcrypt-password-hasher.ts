import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../domain/ports';

export class BcryptPasswordHasher implements PasswordHasher {
  private readonly dummyHash: string;

  constructor(private readonly rounds: number) {
    // Same cost as real hashes, so a login for an unknown email takes as long as one for a known one.
    this.dummyHash = bcrypt.hashSync('dummy password for timing equalisation', rounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  async verify(password: string, hash: string | null): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? this.dummyHash);
    return hash !== null && matches;
  }
}
