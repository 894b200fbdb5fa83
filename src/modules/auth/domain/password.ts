import { ValidationError } from '../../../core/errors/app-error';
import { isCommonPassword } from './common-password';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export class WeakPasswordError extends ValidationError {
  constructor(reason: string) {
    super('The password does not meet the policy', [{ path: 'password', message: reason }], 'WEAK_PASSWORD');
  }
}

/**
 * A new password under NIST SP 800-63B: 8 to 128 characters (counted as code points, so any
 * Unicode is allowed), not the account's email, not a commonly used password or a single dictionary
 * word (zxcvbn-ts dictionaries, see common-password.ts). No composition rules.
 */
export class Password {
  private constructor(readonly value: string) {}

  static create(raw: string, email: string): Password {
    const length = [...raw].length;
    if (length < PASSWORD_MIN) throw new WeakPasswordError(`Use at least ${PASSWORD_MIN} characters`);
    if (length > PASSWORD_MAX) throw new WeakPasswordError(`Use at most ${PASSWORD_MAX} characters`);
    const lower = raw.toLowerCase();
    if (lower === email.toLowerCase() || lower === email.split('@')[0]?.toLowerCase()) {
      throw new WeakPasswordError('The password must not be your email address');
    }
    if (isCommonPassword(raw)) throw new WeakPasswordError('This password is too common; choose another');
    return new Password(raw);
  }
}
