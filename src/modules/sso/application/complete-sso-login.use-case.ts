import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { SchemaName } from '../../../core/domain/schema-name';
import { z } from '../../../core/http/zod';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { Sealer } from '../../../core/utils/sealer';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { SessionIssuer, type TokenPair } from '../../auth/auth.public';
import { USER_REPOSITORY, type User, type UserRepository } from '../../user/user.public';
import { JoinWorkspace, WORKSPACE_DIRECTORY, type WorkspaceDirectory } from '../../workspace/workspace.public';
import { EmailDomain } from '../domain/email-domain';
import { SsoLoginFailedError, SsoProviderUnavailableError } from '../domain/errors';
import type { OidcClient, OidcIdentity, PendingLogin, SsoConnection, SsoDirectory } from '../domain/ports';
import { SsoAccounts } from './sso-accounts.service';
import { PENDING_LOGIN_TTL_SECONDS, pendingLoginKey } from './start-sso-login.use-case';
import { OIDC_CLIENT, SSO_DIRECTORY, SSO_SECRET_SEALER, SSO_SETTINGS, type SsoSettings } from './tokens';

/**
 * The provider's redirect: a code and our state, or an error and our state. Strict like every
 * input, with the extra parameters well-known providers add (RFC 9207 `iss`, OIDC session
 * management's `session_state`, Google's `scope`, `authuser`, `hd`, `prompt`).
 */
export const ssoCallbackQuery = z.strictObject({
  state: z.string().min(1).max(200),
  code: z.string().min(1).max(2000).optional(),
  iss: z.string().max(500).optional(),
  session_state: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  scope: z.string().max(1000).optional(),
  authuser: z.string().max(20).optional(),
  hd: z.string().max(253).optional(),
  prompt: z.string().max(100).optional(),
});
export type SsoCallbackQuery = z.infer<typeof ssoCallbackQuery>;

/**
 * Step 2: the state is used once; the code is exchanged with the PKCE verifier and the ID token's
 * nonce, issuer and audience are checked (openid-client). The provider must vouch for the email,
 * whose domain must be verified by this workspace. Then, in one transaction: the account (created
 * on first sign-in, its email taken as verified), the membership (the workspace's default role,
 * just in time), the session. A failure leaves none of them.
 */
@Service()
export class CompleteSsoLogin {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(OIDC_CLIENT) private readonly oidc: OidcClient,
    @Inject(SSO_SECRET_SEALER) private readonly sealer: Sealer,
    @Inject(SSO_SETTINGS) private readonly settings: SsoSettings,
    @Inject(TOKENS.cache) private readonly cache: Cache,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(WORKSPACE_DIRECTORY) private readonly workspaces: WorkspaceDirectory,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly join: JoinWorkspace,
    private readonly issuer: SessionIssuer,
    private readonly accounts: SsoAccounts,
  ) {}

  async execute(query: SsoCallbackQuery): Promise<TokenPair & { user: User; workspaceId: string }> {
    const pending = await this.consume(query.state);
    const connection = await this.directory.findConnection(pending.workspaceId);
    if (!connection) return this.refuse('not_configured', new SsoLoginFailedError());
    if (query.error || !query.code) return this.refuse('provider_error', new SsoLoginFailedError());
    const url = new URL(this.settings.callbackUrl);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
    let identity: OidcIdentity;
    try {
      identity = await this.oidc.complete(this.provider(connection), {
        url,
        state: query.state,
        nonce: pending.nonce,
        codeVerifier: pending.codeVerifier,
      });
    } catch (err) {
      if (err instanceof SsoProviderUnavailableError) throw err;
      return this.refuse('exchange_failed', err instanceof SsoLoginFailedError ? err : new SsoLoginFailedError());
    }
    const email = identity.email?.trim().toLowerCase() || null;
    const domainName = email ? EmailDomain.of(email) : null;
    if (!email || !domainName || !identity.emailVerified) {
      return this.refuse(
        'email_unverified',
        new SsoLoginFailedError('SSO_EMAIL_UNVERIFIED', 'The provider did not vouch for an email address'),
      );
    }
    const domain = await this.directory.findDomain(connection.workspaceId, domainName);
    if (!domain?.verifiedAt) {
      return this.refuse(
        'domain_mismatch',
        new SsoLoginFailedError('SSO_DOMAIN_MISMATCH', 'This address is not in a verified domain of the workspace'),
      );
    }
    return this.signIn(connection, email, identity);
  }

  private async signIn(connection: SsoConnection, email: string, identity: OidcIdentity) {
    const workspace = await this.workspaces.findById(connection.workspaceId);
    if (!workspace) return this.refuse('workspace_gone', new SsoLoginFailedError());
    const now = this.clock.now();
    return this.tx.runInTenant(SchemaName.parse(workspace.schemaName.value), async () => {
      const user = await this.accounts.resolve(email, identity.name, now);
      if (user.status !== 'active')
        return this.refuse(
          `account_${user.status}`,
          new SsoLoginFailedError('SSO_ACCOUNT_DISABLED', 'This account cannot sign in'),
        );
      const joined = await this.join.execute({
        workspaceId: workspace.id,
        userId: user.id,
        role: connection.defaultRole,
        via: 'sso',
      });
      user.recordLogin(now);
      await this.users.recordLogin(user.id, now);
      const started = await this.issuer.start(user, workspace.id);
      await this.audit.record({
        action: 'auth.sso.login.succeeded',
        actorId: user.id,
        targetType: 'session',
        targetId: started.session.id,
        metadata: { issuer: connection.issuer, subject: identity.subject, provisioned: joined },
      });
      return { ...started.pair, user, workspaceId: workspace.id };
    });
  }

  /** The state works once: a replayed callback (or a forged state) goes no further. */
  private async consume(state: string): Promise<PendingLogin> {
    const first = (await this.cache.increment(`sso:used:${state}`, PENDING_LOGIN_TTL_SECONDS)) === 1;
    const pending = first ? await this.cache.get<PendingLogin>(pendingLoginKey(state)) : null;
    if (!pending)
      return this.refuse(
        'state_invalid',
        new SsoLoginFailedError('SSO_STATE_INVALID', 'The sign-in expired or was already used; start again'),
      );
    await this.cache.delete(pendingLoginKey(state));
    return pending;
  }

  private provider(c: SsoConnection) {
    return { issuer: c.issuer, clientId: c.clientId, clientSecret: this.sealer.unseal(c.clientSecretSealed) };
  }

  private async refuse(reason: string, error: SsoLoginFailedError): Promise<never> {
    await this.audit.record({ action: 'auth.sso.login.failed', metadata: { reason } }, { detached: true });
    throw error;
  }
}
