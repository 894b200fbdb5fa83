import { randomBytes } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { EmailDomain } from '../domain/email-domain';
import type { SsoDirectory } from '../domain/ports';
import { toDomainView, type SsoDomainView } from './sso.view';
import { SSO_DIRECTORY } from './tokens';

export const claimSsoDomainInput = z.strictObject({
  domain: z.string().min(3).max(253).openapi({ example: 'example.com' }),
});

/** Claims a domain for the workspace: the answer says which TXT record proves control of it. */
@Service()
export class ClaimSsoDomain {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(workspaceId: string, raw: string): Promise<SsoDomainView> {
    const domain = EmailDomain.parse(raw);
    const claimed = await this.directory.claimDomain({
      workspaceId,
      domain,
      verificationToken: randomBytes(16).toString('hex'),
      verifiedAt: null,
      createdAt: this.clock.now(),
    });
    await this.audit.record({ action: 'sso.domain.claimed', targetType: 'domain', targetId: domain });
    return toDomainView(claimed);
  }
}
