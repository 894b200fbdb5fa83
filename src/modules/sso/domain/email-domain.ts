import { ValidationError } from '../../../core/errors/app-error';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS domain a workspace claims for its people's email addresses: lower case, at least two labels. */
export const EmailDomain = {
  parse(raw: string): string {
    const domain = raw.trim().toLowerCase().replace(/\.$/, '');
    const labels = domain.split('.');
    if (domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
      throw new ValidationError('The domain is invalid', [{ path: 'body.domain', message: 'Not a DNS domain name' }]);
    }
    return domain;
  },

  /** The domain of an address (the part after the last @), or null. */
  of(email: string): string | null {
    const at = email.lastIndexOf('@');
    return at > 0 ? email.slice(at + 1).toLowerCase() : null;
  },

  /** Where the proof of control lives, and what it must say. */
  challenge(domain: string, token: string): { name: string; value: string } {
    return { name: `_tenant-api-challenge.${domain}`, value: `tenant-api-verification=${token}` };
  },
};
