import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { z } from '../../../core/http/zod';
import type { Sealer } from '../../../core/utils/sealer';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { SsoIssuerInvalidError, SsoRoleNotFoundError } from '../domain/errors';
import type { SsoDirectory } from '../domain/ports';
import { toConfigurationView, type SsoConfigurationView } from './sso.view';
import {
  SSO_DIRECTORY,
  SSO_SECRET_SEALER,
  SSO_SETTINGS,
  SSO_TENANT_ROLES,
  type SsoSettings,
  type TenantRoleCheck,
} from './tokens';

export const configureSsoInput = z.strictObject({
  issuer: z.url().max(500).openapi({ example: 'https://login.example.com' }),
  clientId: z.string().min(1).max(200),
  /** Required the first time; left out, the stored one is kept. */
  clientSecret: z.string().min(1).max(500).optional(),
  defaultRole: z.string().min(1).max(64).default('member'),
  requireSso: z.boolean().default(false),
});
export type ConfigureSsoInput = z.infer<typeof configureSsoInput>;

/** Runs in the workspace's tenant scope. The client secret is sealed before it is stored. */
@Service()
export class ConfigureSso {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(SSO_TENANT_ROLES) private readonly roles: TenantRoleCheck,
    @Inject(SSO_SECRET_SEALER) private readonly sealer: Sealer,
    @Inject(SSO_SETTINGS) private readonly settings: SsoSettings,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(workspaceId: string, input: ConfigureSsoInput): Promise<SsoConfigurationView> {
    const issuer = new URL(input.issuer);
    const secure = issuer.protocol === 'https:' || (this.settings.allowInsecureIssuers && issuer.protocol === 'http:');
    if (!secure || issuer.search || issuer.hash || issuer.username) throw new SsoIssuerInvalidError();
    if (!(await this.roles.exists(input.defaultRole))) throw new SsoRoleNotFoundError();
    const existing = await this.directory.findConnection(workspaceId);
    if (!input.clientSecret && !existing) {
      throw new SsoIssuerInvalidError('clientSecret is required the first time single sign-on is configured');
    }
    const connection = {
      workspaceId,
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecretSealed: input.clientSecret ? this.sealer.seal(input.clientSecret) : existing!.clientSecretSealed,
      defaultRole: input.defaultRole,
      requireSso: input.requireSso,
      updatedAt: this.clock.now(),
    };
    await this.directory.saveConnection(connection);
    await this.audit.record({
      action: 'sso.configured',
      targetType: 'workspace',
      targetId: workspaceId,
      metadata: {
        issuer: input.issuer,
        clientId: input.clientId,
        defaultRole: input.defaultRole,
        requireSso: input.requireSso,
        secretChanged: !!input.clientSecret,
      },
    });
    return toConfigurationView(connection, await this.directory.listDomains(workspaceId), this.settings.callbackUrl);
  }
}
