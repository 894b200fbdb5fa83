import { EmailDomain } from '../domain/email-domain';
import type { SsoConnection, SsoDomain } from '../domain/ports';

export interface SsoDomainView {
  domain: string;
  verified: boolean;
  verifiedAt: string | null;
  /** The DNS TXT record that proves control of the domain. */
  txtRecord: { name: string; value: string };
}

export interface SsoConfigurationView {
  issuer: string;
  clientId: string;
  /** Never the secret itself: only that one is stored. */
  hasClientSecret: boolean;
  defaultRole: string;
  requireSso: boolean;
  callbackUrl: string;
  domains: SsoDomainView[];
}

export function toDomainView(d: SsoDomain): SsoDomainView {
  return {
    domain: d.domain,
    verified: d.verifiedAt !== null,
    verifiedAt: d.verifiedAt?.toISOString() ?? null,
    txtRecord: EmailDomain.challenge(d.domain, d.verificationToken),
  };
}

export function toConfigurationView(c: SsoConnection, domains: SsoDomain[], callbackUrl: string): SsoConfigurationView {
  return {
    issuer: c.issuer,
    clientId: c.clientId,
    hasClientSecret: c.clientSecretSealed.length > 0,
    defaultRole: c.defaultRole,
    requireSso: c.requireSso,
    callbackUrl,
    domains: domains.map(toDomainView),
  };
}
