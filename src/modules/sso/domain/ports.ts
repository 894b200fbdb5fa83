/** A workspace's identity provider. The client secret is held sealed at rest. */
export interface SsoConnection {
  workspaceId: string;
  issuer: string;
  clientId: string;
  clientSecretSealed: string;
  defaultRole: string;
  requireSso: boolean;
  updatedAt: Date;
}

export interface SsoDomain {
  workspaceId: string;
  domain: string;
  verificationToken: string;
  verifiedAt: Date | null;
  createdAt: Date;
}

/** public.sso_connections and public.sso_domains. */
export interface SsoDirectory {
  findConnection(workspaceId: string): Promise<SsoConnection | null>;
  saveConnection(connection: SsoConnection): Promise<void>;
  removeConnection(workspaceId: string): Promise<boolean>;
  listDomains(workspaceId: string): Promise<SsoDomain[]>;
  /** Keeps an existing claim (and its token) of the same domain by the same workspace. */
  claimDomain(domain: SsoDomain): Promise<SsoDomain>;
  findDomain(workspaceId: string, domain: string): Promise<SsoDomain | null>;
  /** Throws SsoDomainTakenError when another workspace verified it first. */
  markVerified(workspaceId: string, domain: string, at: Date): Promise<void>;
  /** The connection of the workspace that verified this domain, if it has one. */
  findByVerifiedDomain(domain: string): Promise<SsoConnection | null>;
}

/** DNS TXT lookups, behind a port so tests can answer for domains they do not own. */
export interface TxtResolver {
  /** The TXT strings at this name (each record's chunks joined); [] when there are none. */
  resolveTxt(name: string): Promise<string[]>;
}

/** What the sign-in keeps between the redirect and the callback (single use, 10 minutes). */
export interface PendingLogin {
  workspaceId: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export interface OidcProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The OpenID Connect relying party (authorization code + PKCE). */
export interface OidcClient {
  authorizationUrl(
    provider: OidcProviderSettings,
    request: { redirectUri: string; state: string; nonce: string; codeChallenge: string },
  ): Promise<string>;
  /** Exchanges the code (checking state, nonce, PKCE, issuer and the ID token) for the identity. */
  complete(
    provider: OidcProviderSettings,
    callback: { url: URL; state: string; nonce: string; codeVerifier: string },
  ): Promise<OidcIdentity>;
  pkce(): Promise<{ verifier: string; challenge: string }>;
}
