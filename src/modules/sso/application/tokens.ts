import { Token } from 'typedi';
import type { Sealer } from '../../../core/utils/sealer';
import type { OidcClient, SsoDirectory, TxtResolver } from '../domain/ports';

export interface SsoSettings {
  /** The redirect URI registered with every provider (SSO_CALLBACK_URL). */
  callbackUrl: string;
  allowInsecureIssuers: boolean;
}

/** Whether a role of this name exists in the current tenant. */
export interface TenantRoleCheck {
  exists(name: string): Promise<boolean>;
}

export const SSO_SETTINGS = new Token<SsoSettings>('SsoSettings');
export const SSO_DIRECTORY = new Token<SsoDirectory>('SsoDirectory');
export const TXT_RESOLVER = new Token<TxtResolver>('TxtResolver');
export const OIDC_CLIENT = new Token<OidcClient>('OidcClient');
export const SSO_SECRET_SEALER = new Token<Sealer>('SsoSecretSealer');
export const SSO_TENANT_ROLES = new Token<TenantRoleCheck>('SsoTenantRoles');
