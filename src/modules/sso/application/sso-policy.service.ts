import { Inject, Service } from 'typedi';
import type { SsoPolicy } from '../../auth/auth.public';
import { EmailDomain } from '../domain/email-domain';
import type { SsoDirectory } from '../domain/ports';
import { SSO_DIRECTORY } from './tokens';

/** Password sign-in is refused for addresses of a verified domain whose workspace requires SSO. */
@Service()
export class DomainSsoPolicy implements SsoPolicy {
  constructor(@Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory) {}

  async requiredFor(email: string): Promise<boolean> {
    const domain = EmailDomain.of(email.trim());
    if (!domain) return false;
    return (await this.directory.findByVerifiedDomain(domain))?.requireSso ?? false;
  }
}
