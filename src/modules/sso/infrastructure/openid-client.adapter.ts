import type * as OpenIdClientLibrary from 'openid-client';
import type { Configuration } from 'openid-client';
import { SsoLoginFailedError, SsoProviderUnavailableError } from '../domain/errors';
import type { OidcClient, OidcIdentity, OidcProviderSettings } from '../domain/ports';

type OpenIdClient = typeof OpenIdClientLibrary;

const DISCOVERY_TTL_MS = 10 * 60_000;

/**
 * openid-client 6 (ESM only), loaded with a real import() on first use: `module: nodenext` keeps
 * it as one in the CommonJS build (Jest compiles the package instead, see jest.config.ts). The
 * provider's discovery document is kept ten minutes per issuer and client.
 */
export class OpenIdClientAdapter implements OidcClient {
  private library: Promise<OpenIdClient> | null = null;
  private readonly configurations = new Map<string, { at: number; config: Promise<Configuration> }>();

  constructor(private readonly options: { allowInsecureIssuers: boolean }) {}

  async pkce(): Promise<{ verifier: string; challenge: string }> {
    const client = await this.load();
    const verifier = client.randomPKCECodeVerifier();
    return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
  }

  async authorizationUrl(
    provider: OidcProviderSettings,
    request: { redirectUri: string; state: string; nonce: string; codeChallenge: string },
  ): Promise<string> {
    const client = await this.load();
    const config = await this.configuration(provider);
    return client
      .buildAuthorizationUrl(config, {
        redirect_uri: request.redirectUri,
        scope: 'openid email profile',
        response_type: 'code',
        state: request.state,
        nonce: request.nonce,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
      })
      .toString();
  }

  async complete(
    provider: OidcProviderSettings,
    callback: { url: URL; state: string; nonce: string; codeVerifier: string },
  ): Promise<OidcIdentity> {
    const client = await this.load();
    const config = await this.configuration(provider);
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback.url, {
        expectedState: callback.state,
        expectedNonce: callback.nonce,
        pkceCodeVerifier: callback.codeVerifier,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new SsoLoginFailedError();
      claims = { ...idToken };
      // Many providers put email only in the UserInfo answer for the code flow.
      if (typeof claims.email !== 'string' && tokens.access_token) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
        claims = { ...info, ...claims, email: info.email, email_verified: info.email_verified };
      }
    } catch (err) {
      if (err instanceof SsoLoginFailedError || err instanceof SsoProviderUnavailableError) throw err;
      throw new SsoLoginFailedError('SSO_LOGIN_FAILED', 'The identity provider did not confirm the sign-in');
    }
    return {
      subject: String(claims.sub),
      email: typeof claims.email === 'string' ? claims.email : null,
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === 'string' ? claims.name : null,
    };
  }

  private load(): Promise<OpenIdClient> {
    this.library ??= import('openid-client');
    return this.library;
  }

  private async configuration(provider: OidcProviderSettings): Promise<Configuration> {
    const key = `${provider.issuer}\n${provider.clientId}\n${provider.clientSecret}`;
    const cached = this.configurations.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const client = await this.load();
    const config = client
      .discovery(
        new URL(provider.issuer),
        provider.clientId,
        undefined,
        client.ClientSecretBasic(provider.clientSecret),
        this.options.allowInsecureIssuers ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.configurations.delete(key);
        throw new SsoProviderUnavailableError({ cause: err });
      });
    this.configurations.set(key, { at: Date.now(), config });
    return config;
  }
}
