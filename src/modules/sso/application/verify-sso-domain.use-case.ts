import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { EmailDomain } from '../domain/email-domain';
import { SsoDomainNotFoundError, SsoDomainNotVerifiedError } from '../domain/errors';
import type { SsoDirectory, TxtResolver } from '../domain/ports';
import { toDomainView, type SsoDomainView } from './sso.view';
import { SSO_DIRECTORY, TXT_RESOLVER } from './tokens';

/** Looks the challenge up in DNS; a domain is verified for one workspace at a time (409 otherwise). */
@Service()
export class VerifySsoDomain {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(TXT_RESOLVER) private readonly dns: TxtResolver,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(workspaceId: string, raw: string): Promise<SsoDomainView> {
    const claimed = await this.directory.findDomain(workspaceId, EmailDomain.parse(raw));
    if (!claimed) throw new SsoDomainNotFoundError();
    if (!claimed.verifiedAt) {
      const challenge = EmailDomain.challenge(claimed.domain, claimed.verificationToken);
      if (!(await this.dns.resolveTxt(challenge.name)).includes(challenge.value)) {
        await this.audit.record(
          { action: 'sso.domain.verification_failed', targetType: 'domain', targetId: claimed.domain },
          { detached: true },
        );
        throw new SsoDomainNotVerifiedError();
      }
      await this.directory.markVerified(workspaceId, claimed.domain, this.clock.now());
      await this.audit.record({ action: 'sso.domain.verified', targetType: 'domain', targetId: claimed.domain });
    }
    return toDomainView((await this.directory.findDomain(workspaceId, claimed.domain))!);
  }
}
