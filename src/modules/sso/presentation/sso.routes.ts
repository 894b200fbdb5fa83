import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { authRateLimit } from '../../auth/auth.public';
import { toUserView, userView } from '../../user/user.public';
import { claimSsoDomainInput, ClaimSsoDomain } from '../application/claim-sso-domain.use-case';
import { CompleteSsoLogin, ssoCallbackQuery } from '../application/complete-sso-login.use-case';
import { ConfigureSso, configureSsoInput } from '../application/configure-sso.use-case';
import { GetSso } from '../application/get-sso.use-case';
import { RemoveSso } from '../application/remove-sso.use-case';
import { StartSsoLogin, startSsoLoginInput } from '../application/start-sso-login.use-case';
import { VerifySsoDomain } from '../application/verify-sso-domain.use-case';

const domainView = z
  .object({
    domain: z.string(),
    verified: z.boolean(),
    verifiedAt: z.string().nullable(),
    txtRecord: z.object({ name: z.string(), value: z.string() }).openapi({
      description: 'Publish this TXT record, then call verify',
    }),
  })
  .openapi('SsoDomain');

const configurationView = z
  .object({
    issuer: z.string(),
    clientId: z.string(),
    hasClientSecret: z.boolean(),
    defaultRole: z.string(),
    requireSso: z.boolean(),
    callbackUrl: z.string().openapi({ description: 'The redirect URI to register with the provider' }),
    domains: z.array(domainView),
  })
  .openapi('SsoConfiguration');

const ssoTokens = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    tokenType: z.literal('Bearer'),
    workspaceId: z.uuid().openapi({ description: 'The session starts in the workspace of the provider' }),
    user: userView,
  })
  .openapi('SsoTokenResponse');

const inWorkspace = z.strictObject({ workspaceId: z.uuid() });
const byDomain = z.strictObject({ workspaceId: z.uuid(), domain: z.string().min(3).max(253) });

export function ssoRoutes(container: ContainerInstance): RouteSpec[] {
  const config = container.get(TOKENS.config);
  const limited = (name: string) => [authRateLimit(container.get(TOKENS.cache), name, config.auth.rateLimit)];
  return [
    defineRoute({
      method: 'put',
      path: '/workspaces/:workspaceId/sso',
      tags: ['Single sign-on'],
      summary: 'Configure the workspace’s OpenID Connect provider (the client secret is stored encrypted)',
      auth: 'workspace',
      permission: 'sso.manage',
      request: { params: inWorkspace, body: configureSsoInput },
      response: { status: 200, description: 'The configuration (never the secret)', schema: configurationView },
      errors: [403, 404, 422],
      handler: async ({ params, body }) => container.get(ConfigureSso).execute(params.workspaceId, body),
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/sso',
      tags: ['Single sign-on'],
      summary: 'The workspace’s single sign-on configuration and domains',
      auth: 'workspace',
      permission: 'sso.manage',
      request: { params: inWorkspace },
      response: { status: 200, description: 'The configuration (never the secret)', schema: configurationView },
      errors: [403, 404],
      handler: async ({ params }) => container.get(GetSso).execute(params.workspaceId),
    }),
    defineRoute({
      method: 'delete',
      path: '/workspaces/:workspaceId/sso',
      tags: ['Single sign-on'],
      summary: 'Remove the provider: password sign-in applies again',
      auth: 'workspace',
      permission: 'sso.manage',
      request: { params: inWorkspace },
      response: { status: 204, description: 'Removed' },
      errors: [403, 404],
      handler: async ({ params }) => container.get(RemoveSso).execute(params.workspaceId),
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/sso/domains',
      tags: ['Single sign-on'],
      summary: 'Claim an email domain; the answer names the DNS TXT record that proves control',
      auth: 'workspace',
      permission: 'sso.manage',
      request: { params: inWorkspace, body: claimSsoDomainInput },
      response: { status: 201, description: 'The claimed domain', schema: domainView },
      errors: [403, 404],
      handler: async ({ params, body }) => container.get(ClaimSsoDomain).execute(params.workspaceId, body.domain),
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/sso/domains/:domain/verify',
      tags: ['Single sign-on'],
      summary: 'Check the domain’s DNS TXT record; verified for one workspace at a time',
      auth: 'workspace',
      permission: 'sso.manage',
      request: { params: byDomain },
      response: { status: 200, description: 'The domain', schema: domainView },
      errors: [403, 404, 409, 422],
      handler: async ({ params }) => container.get(VerifySsoDomain).execute(params.workspaceId, params.domain),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/sso/start',
      tags: ['Single sign-on'],
      summary: 'Start single sign-on for an address of a verified domain: where to send the browser',
      auth: 'public',
      middleware: limited('sso-start'),
      request: { body: startSsoLoginInput },
      response: {
        status: 200,
        description: 'The provider’s authorization URL (code flow with PKCE, state and nonce)',
        schema: z.object({ authorizationUrl: z.string() }),
      },
      errors: [404, 503],
      handler: async ({ body }) => container.get(StartSsoLogin).execute(body.email),
    }),
    defineRoute({
      method: 'get',
      path: '/auth/sso/callback',
      tags: ['Single sign-on'],
      summary: 'The provider’s redirect: completes the sign-in (joining the workspace on first use)',
      auth: 'public',
      middleware: limited('sso-callback'),
      request: { query: ssoCallbackQuery },
      response: { status: 200, description: 'Signed in', schema: ssoTokens },
      errors: [401, 503],
      handler: async ({ query }) => {
        const result = await container.get(CompleteSsoLogin).execute(query);
        return {
          accessToken: result.accessToken,
          refreshToken: result.refreshToken,
          expiresIn: result.expiresIn,
          tokenType: 'Bearer' as const,
          workspaceId: result.workspaceId,
          user: toUserView(result.user),
        };
      },
    }),
  ];
}
