import { requestContext } from '../../../core/context/request-context';
import { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import { MemoryCache } from '../../../core/infrastructure/cache/memory-cache';
import type { PermissionReader } from '../domain/ports';
import { PermissionDeniedError, PermissionService } from './permission.service';

function setup() {
  const grants = { workspace: ['members.read'], global: [] as string[], roles: ['roles.read'] };
  const reader: PermissionReader & { calls: number } = {
    calls: 0,
    async workspacePermissions() {
      reader.calls += 1;
      return grants.workspace;
    },
    async globalPermissions() {
      return grants.global;
    },
    async rolePermissions(roleIds: string[]) {
      return roleIds.length ? grants.roles : [];
    },
  };
  return { grants, reader, service: new PermissionService(reader, new DecisionCache(new MemoryCache())) };
}

const principal = { userId: 'u1', workspaceId: 'w1' };

/** Workspace grants are read in the workspace's tenant scope, as the workspace guard provides. */
const inTenant = <T>(work: () => Promise<T>) => requestContext.run({ tenantSchema: 'tenant_w1' }, work);

describe('PermissionService', () => {
  test('when asked twice, then the second answer comes from the cache', async () => {
    const { reader, service } = setup();
    expect(await inTenant(() => service.effective(principal))).toEqual(['members.read']);
    await inTenant(() => service.effective(principal));
    expect(reader.calls).toBe(1);
  });

  test('when the workspace is invalidated, then the next answer reflects the change', async () => {
    const { grants, service } = setup();
    await inTenant(() => service.effective(principal));
    grants.workspace = ['members.read', 'members.invite'];
    await service.invalidate('w1');
    expect(await inTenant(() => service.effective(principal))).toEqual(['members.invite', 'members.read']);
  });

  test('when global roles grant platform permissions, then they join the workspace ones', async () => {
    const { grants, service } = setup();
    grants.global = ['platform.users.manage'];
    expect(await inTenant(() => service.effective(principal))).toEqual(['members.read', 'platform.users.manage']);
  });

  test('when there is no active workspace, then only global permissions count', async () => {
    const { reader, service } = setup();
    expect(await service.effective({ userId: 'u1' })).toEqual([]);
    expect(reader.calls).toBe(0);
  });

  test('when a permission is missing, then require throws PERMISSION_DENIED naming it', async () => {
    const { service } = setup();
    await expect(inTenant(() => service.require(principal, 'members.read'))).resolves.toBeUndefined();
    await expect(inTenant(() => service.require(principal, 'roles.manage'))).rejects.toThrow(PermissionDeniedError);
    await expect(inTenant(() => service.require(principal, 'roles.manage'))).rejects.toThrow('roles.manage');
  });

  test('when a workspace token calls outside its tenant scope (a platform route), then only global grants count and the workspace answer is not poisoned', async () => {
    const { grants, service } = setup();
    grants.global = ['platform.users.manage'];
    expect(await service.effective(principal)).toEqual(['platform.users.manage']);
    expect(await inTenant(() => service.effective(principal))).toEqual(['members.read', 'platform.users.manage']);
  });

  test('when the caller is an API key, then only its roles grant anything, global roles never', async () => {
    const { grants, service } = setup();
    grants.global = ['platform.users.manage'];
    const key = { userId: 'k1', workspaceId: 'w1', apiKey: { id: 'k1', prefix: '0123456789abcdef', roleIds: ['r1'] } };
    expect(await inTenant(() => service.effective(key))).toEqual(['roles.read']);
    expect(await service.effective(key)).toEqual([]);
  });
});
