import { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import { MemoryCache } from '../../../core/infrastructure/cache/memory-cache';
import type { Logger } from '../../../core/logger';
import { ApiKeyToken } from '../domain/api-key-token';
import type { ApiKeyCredential, ApiKeyRepository } from '../domain/ports';
import { ApiKeyCredentials } from './api-key-credentials.service';

function setup(overrides: Partial<ApiKeyCredential> = {}) {
  const { token, prefix, secretHash } = ApiKeyToken.generate();
  const credential: ApiKeyCredential = {
    id: 'k1',
    workspaceId: 'w1',
    schemaName: 'tenant_00000000000000000000000000000001',
    prefix,
    name: 'robot',
    roleIds: ['r1'],
    secretHash: secretHash.toString('base64'),
    expiresAt: null,
    revokedAt: null,
    ...overrides,
  };
  const calls = { find: 0, touch: [] as Date[] };
  const keys = {
    async findCredential() {
      calls.find += 1;
      return { ...credential };
    },
    async touch(_id: string, at: Date) {
      calls.touch.push(at);
    },
  } as unknown as ApiKeyRepository;
  let now = new Date('2026-12-04T12:00:00Z');
  const clock = { now: () => now };
  const logger = { warn: jest.fn() } as unknown as Logger;
  const cache = new MemoryCache();
  const service = new ApiKeyCredentials(keys, new DecisionCache(cache), cache, clock, logger);
  return {
    token,
    credential,
    calls,
    service,
    advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
  };
}

describe('ApiKeyCredentials', () => {
  test('when a key is used twice, then the second request is served from the cache', async () => {
    const { token, calls, service } = setup();

    const first = await service.authenticate(token);
    await service.authenticate(token);

    expect(calls.find).toBe(1);
    expect(first.principal).toEqual(
      expect.objectContaining({
        userId: 'k1',
        workspaceId: 'w1',
        apiKey: expect.objectContaining({ roleIds: ['r1'] }),
      }),
    );
  });

  test('when the key is forgotten (revoked), then the next request reads the database again', async () => {
    const { token, credential, calls, service } = setup();
    await service.authenticate(token);

    await service.forget([credential.prefix]);
    await service.authenticate(token);

    expect(calls.find).toBe(2);
  });

  test('when a cached key passes its expiry, then it is refused without waiting for the cache', async () => {
    const { token, service, advance } = setup({ expiresAt: '2026-12-04T12:00:30Z' });
    await service.authenticate(token);

    advance(31);

    await expect(service.authenticate(token)).rejects.toMatchObject({ code: 'API_KEY_EXPIRED' });
  });

  test('when the key is revoked or the secret wrong, then it is refused', async () => {
    const revoked = setup({ revokedAt: '2026-12-01T00:00:00Z' });
    await expect(revoked.service.authenticate(revoked.token)).rejects.toMatchObject({ code: 'API_KEY_REVOKED' });
    const wrong = setup();
    const forged = `${wrong.token.slice(0, 21)}${'A'.repeat(43)}`;
    await expect(wrong.service.authenticate(forged)).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
  });

  test('when the workspace is no longer active, then its key is refused', async () => {
    const { token, service } = setup({ schemaName: null });
    await expect(service.authenticate(token)).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
  });

  test('when a key is used many times within a minute, then its use is written once, and again a minute later', async () => {
    const { token, calls, service, advance } = setup();

    for (let i = 0; i < 5; i += 1) await service.authenticate(token);
    advance(61);
    await service.authenticate(token);

    expect(calls.touch).toHaveLength(2);
  });
});
