import type { Principal } from '../../../core/http/principal';
import type { AuditLog } from '../../audit/audit.public';
import type { PermissionService } from '../../role/role.public';
import type { ApiKey } from '../domain/api-key';
import type { ApiKeyRepository, TenantRoles } from '../domain/ports';
import { CreateApiKey } from './create-api-key.use-case';

const admin: Principal = { userId: 'u1', sessionId: 's1', tokenId: 't1', workspaceId: 'w1', expiresAt: 0 };
const NOW = new Date('2026-12-04T12:00:00Z');

function setup(held: string[] = ['members.read', 'roles.read']) {
  const stored: { key: ApiKey; hash: Buffer }[] = [];
  const keys = {
    create: jest.fn(async (key: ApiKey, hash: Buffer) => void stored.push({ key, hash })),
  } as unknown as ApiKeyRepository;
  const roles: TenantRoles = {
    findByNames: async (names) =>
      [
        { id: 'r-viewer', name: 'viewer' },
        { id: 'r-admin', name: 'admin' },
      ].filter((r) => names.includes(r.name)),
    findByIds: async () => [],
  };
  const grants: Record<string, string[]> = {
    'r-viewer': ['members.read'],
    'r-admin': ['members.read', 'roles.manage'],
  };
  const permissions = {
    grantsOfRoles: async (ids: string[]) => ids.flatMap((id) => grants[id] ?? []),
    requireAll: async (_p: Principal, wanted: string[]) => {
      const missing = wanted.find((p) => !held.includes(p));
      if (missing) throw Object.assign(new Error('denied'), { code: 'PERMISSION_DENIED' });
    },
  } as unknown as PermissionService;
  const audit: AuditLog = { record: jest.fn(async () => undefined) };
  const useCase = new CreateApiKey(keys, roles, audit, { now: () => NOW }, permissions);
  return { useCase, stored, audit };
}

describe('CreateApiKey', () => {
  test('when an admin creates a key, then the secret is returned once and only its hash is stored', async () => {
    const { useCase, stored, audit } = setup();

    const created = await useCase.execute(admin, { name: 'CI', roles: ['viewer'] });

    expect(created.key).toMatch(/^tak_[0-9a-f]{16}_/);
    expect(created.roles).toEqual(['viewer']);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.hash).toHaveLength(32);
    expect(JSON.stringify(stored[0]!.key.toProps())).not.toContain(created.key.slice(21));
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'apikey.created' }));
    expect(JSON.stringify((audit.record as jest.Mock).mock.calls)).not.toContain(created.key);
  });

  test('when the roles grant more than the caller holds, then nothing is created', async () => {
    const { useCase, stored } = setup(['members.read']);
    await expect(useCase.execute(admin, { name: 'x', roles: ['admin'] })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(stored).toHaveLength(0);
  });

  test('when a role does not exist, or the expiry has passed, then it is refused', async () => {
    const { useCase } = setup();
    await expect(useCase.execute(admin, { name: 'x', roles: ['ghost'] })).rejects.toMatchObject({
      code: 'ROLE_NOT_FOUND',
    });
    await expect(
      useCase.execute(admin, { name: 'x', roles: ['viewer'], expiresAt: '2026-12-04T11:59:59Z' }),
    ).rejects.toMatchObject({ code: 'API_KEY_EXPIRY_IN_PAST' });
  });

  test('when the caller is itself an API key, then it cannot create keys', async () => {
    const { useCase } = setup();
    const key = { ...admin, apiKey: { id: 'k1', prefix: '0123456789abcdef', roleIds: ['r-admin'] } };
    await expect(useCase.execute(key, { name: 'x', roles: ['viewer'] })).rejects.toMatchObject({
      code: 'API_KEY_NOT_ALLOWED',
    });
  });
});
