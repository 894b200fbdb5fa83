import { randomBytes } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { z } from '../../../core/http/zod';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import type { Sealer } from '../../../core/utils/sealer';
import { EmailDomain } from '../domain/email-domain';
import { SsoNotConfiguredError } from '../domain/errors';
import type { OidcClient, PendingLogin, SsoDirectory } from '../domain/ports';
import { OIDC_CLIENT, SSO_DIRECTORY, SSO_SECRET_SEALER, SSO_SETTINGS, type SsoSettings } from './tokens';

export const startSsoLoginInput = z.strictObject({
  email: z.email().max(254).openapi({ example: 'grace@example.com' }),
});

export const PENDING_LOGIN_TTL_SECONDS = 600;
export const pendingLoginKey = (state: string) => `sso:login:${state}`;
const random = () => randomBytes(32).toString('base64url');

/**
 * Step 1 of the authorization code flow with PKCE: the address's verified domain names the
 * workspace and its provider; state, nonce and the PKCE verifier wait in the shared cache (10 min)
 * for the callback, so any instance can complete the sign-in.
 */
@Service()
export class StartSsoLogin {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(OIDC_CLIENT) private readonly oidc: OidcClient,
    @Inject(SSO_SECRET_SEALER) private readonly sealer: Sealer,
    @Inject(SSO_SETTINGS) private readonly settings: SsoSettings,
    @Inject(TOKENS.cache) private readonly cache: Cache,
  ) {}

  async execute(email: string): Promise<{ authorizationUrl: string }> {
    const domain = EmailDomain.of(email);
    const connection = domain ? await this.directory.findByVerifiedDomain(domain) : null;
    if (!connection) throw new SsoNotConfiguredError();
    const state = random();
    const nonce = random();
    const pkce = await this.oidc.pkce();
    const authorizationUrl = await this.oidc.authorizationUrl(
      {
        issuer: connection.issuer,
        clientId: connection.clientId,
        clientSecret: this.sealer.unseal(connection.clientSecretSealed),
      },
      { redirectUri: this.settings.callbackUrl, state, nonce, codeChallenge: pkce.challenge },
    );
    await this.cache.set<PendingLogin>(
      pendingLoginKey(state),
      { workspaceId: connection.workspaceId, nonce, codeVerifier: pkce.verifier },
      PENDING_LOGIN_TTL_SECONDS,
    );
    return { authorizationUrl };
  }
}
