import { ValidationError } from '../../../core/errors/app-error';

// Deliberately permissive (RFC 5321 lengths, one @, a dot in the domain): the verification
// email, not a regex, proves an address works.
const SHAPE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** An email address, trimmed and lower-cased so comparisons and uniqueness are case-insensitive. */
export class Email {
  private constructor(readonly value: string) {}

  static create(raw: string): Email {
    const value = raw.trim().toLowerCase();
    if (value.length > 254 || !SHAPE.test(value)) {
      throw new ValidationError('Invalid email address', [{ path: 'email', message: 'Invalid email address' }]);
    }
    return new Email(value);
  }

  equals(other: Email): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}
