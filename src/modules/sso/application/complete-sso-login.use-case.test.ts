import { MemoryCache } from '../../../core/infrastructure/cache/memory-cache';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import { Sealer } from '../../../core/utils/sealer';
import type { AuditLog } from '../../audit/audit.public';
import type { SessionIssuer } from '../../auth/auth.public';
import type { UserRepository } from '../../user/user.public';
import type { JoinWorkspace, WorkspaceDirectory } from '../../workspace/workspace.public';
import type { OidcClient, OidcIdentity, SsoConnection, SsoDirectory, SsoDomain } from '../domain/ports';
import { CompleteSsoLogin } from './complete-sso-login.use-case';
import type { SsoAccounts } from './sso-accounts.service';
import { pendingLoginKey } from './start-sso-login.use-case';

const sealer = Sealer.fromSecret('a-test-secret-of-at-least-thirty-two-chars', 'sso-client-secret');
const connection: SsoConnection = {
  workspaceId: 'w1',
  issuer: 'https://idp.example.com',
  clientId: 'c',
  clientSecretSealed: sealer.seal('s'),
  defaultRole: 'member',
  requireSso: false,
  updatedAt: new Date(),
};
const verified: SsoDomain = {
  workspaceId: 'w1',
  domain: 'acme.test',
  verificationToken: 't',
  verifiedAt: new Date(),
  createdAt: new Date(),
};

async function setup(identity: OidcIdentity) {
  const cache = new MemoryCache();
  await cache.set(pendingLoginKey('st'), { workspaceId: 'w1', nonce: 'n', codeVerifier: 'v' }, 600);
  const directory = {
    findConnection: async () => connection,
    findDomain: async (_w: string, d: string) => (d === 'acme.test' ? verified : null),
  } as unknown as SsoDirectory;
  const oidc = { complete: jest.fn(async () => identity) } as unknown as OidcClient;
  const accounts = { resolve: jest.fn() } as unknown as SsoAccounts;
  const audit: AuditLog = { record: jest.fn(async () => undefined) };
  const useCase = new CompleteSsoLogin(
    directory,
    oidc,
    sealer,
    { callbackUrl: 'https://api.example.com/api/v1/auth/sso/callback', allowInsecureIssuers: false },
    cache,
    { runInTenant: async (_s: unknown, work: () => Promise<unknown>) => work() } as unknown as TransactionRunner,
    { findById: async () => null } as unknown as WorkspaceDirectory,
    {} as UserRepository,
    audit,
    { now: () => new Date() },
    {} as JoinWorkspace,
    {} as SessionIssuer,
    accounts,
  );
  return { useCase, oidc, accounts, audit };
}

const vouched: OidcIdentity = { subject: 'sub', email: 'grace@acme.test', emailVerified: true, name: 'Grace' };

describe('CompleteSsoLogin', () => {
  test('when the same state comes back twice, then the second callback goes no further', async () => {
    const { useCase, oidc } = await setup({ ...vouched, emailVerified: false });
    await expect(useCase.execute({ state: 'st', code: 'c' })).rejects.toMatchObject({ code: 'SSO_EMAIL_UNVERIFIED' });

    await expect(useCase.execute({ state: 'st', code: 'c' })).rejects.toMatchObject({ code: 'SSO_STATE_INVALID' });
    expect(oidc.complete).toHaveBeenCalledTimes(1);
  });

  test('when the code is exchanged, then the verifier and nonce of the pending sign-in are checked', async () => {
    const { useCase, oidc } = await setup({ ...vouched, email: 'grace@elsewhere.test' });

    await expect(useCase.execute({ state: 'st', code: 'c', iss: 'https://idp.example.com' })).rejects.toMatchObject({
      code: 'SSO_DOMAIN_MISMATCH',
    });
    const call = (oidc.complete as jest.Mock).mock.calls[0] as [
      unknown,
      { url: URL; nonce: string; codeVerifier: string },
    ];
    expect(call[1]).toEqual(expect.objectContaining({ nonce: 'n', codeVerifier: 'v' }));
    expect(call[1].url.toString()).toBe(
      'https://api.example.com/api/v1/auth/sso/callback?state=st&code=c&iss=https%3A%2F%2Fidp.example.com',
    );
  });

  test('when the provider answers with an error, then nothing is exchanged and the refusal is audited', async () => {
    const { useCase, oidc, accounts, audit } = await setup(vouched);

    await expect(useCase.execute({ state: 'st', error: 'access_denied' })).rejects.toMatchObject({
      code: 'SSO_LOGIN_FAILED',
    });
    expect(oidc.complete).not.toHaveBeenCalled();
    expect(accounts.resolve).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(
      { action: 'auth.sso.login.failed', metadata: { reason: 'provider_error' } },
      { detached: true },
    );
  });
});
