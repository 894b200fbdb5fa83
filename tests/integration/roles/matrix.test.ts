import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import type { RouteSpec } from '../../../src/core/http/route';
import { API, bearer } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { execute } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

/**
 * The rule of every authenticated route, written out by hand: a route added without a row here
 * fails this suite. `any` = any signed-in caller; a permission = only holders of it.
 */
const RULES: Record<string, string> = {
  'get /users/me': 'any',
  'put /users/me': 'any',
  'delete /users/me': 'any',
  'post /users/me/avatar': 'any',
  'delete /users/me/avatar': 'any',
  'get /users': 'users.read',
  'get /users?scope=platform': 'platform.users.manage',
  'get /users/search': 'users.read',
  'get /users/search?scope=platform': 'platform.users.manage',
  'get /users/:id': 'users.read',
  'get /users/:id?scope=platform': 'platform.users.manage',
  'patch /users/:id/status': 'platform.users.manage',
  'delete /users/:id': 'platform.users.manage',
  'get /notifications': 'notifications.read',
  'post /notifications/read-all': 'notifications.read',
  'post /notifications/:id/read': 'notifications.read',
  'post /auth/logout': 'any',
  'get /auth/sessions': 'any',
  'delete /auth/sessions/:id': 'any',
  'get /auth/mfa': 'any',
  'post /auth/mfa/totp': 'any',
  'post /auth/mfa/totp/verify': 'any',
  'post /auth/mfa/totp/disable': 'any',
  'post /workspaces': 'any',
  'get /workspaces': 'any',
  'get /workspaces/:workspaceId': 'any',
  'put /workspaces/:workspaceId': 'workspaces.manage',
  'delete /workspaces/:workspaceId': 'workspaces.manage',
  'post /workspaces/:workspaceId/switch': 'any',
  'get /workspaces/:workspaceId/members': 'members.read',
  'post /workspaces/:workspaceId/members/invite': 'members.invite',
  'post /workspaces/:workspaceId/members/accept': 'any',
  'delete /workspaces/:workspaceId/members/:userId': 'members.remove',
  'get /permissions': 'any',
  'get /me/permissions': 'any',
  'get /workspaces/:workspaceId/roles': 'roles.read',
  'post /workspaces/:workspaceId/roles': 'roles.manage',
  'get /workspaces/:workspaceId/roles/:roleId': 'roles.read',
  'put /workspaces/:workspaceId/roles/:roleId': 'roles.manage',
  'delete /workspaces/:workspaceId/roles/:roleId': 'roles.manage',
  'put /workspaces/:workspaceId/roles/:roleId/permissions': 'roles.manage',
  'put /workspaces/:workspaceId/members/:userId/roles': 'roles.assign',
  'get /workspaces/:workspaceId/audit-events': 'audit.read',
  'get /workspaces/:workspaceId/audit-events/export': 'audit.read',
  'get /admin/audit-events': 'platform.audit.read',
  'get /admin/audit-events/export': 'platform.audit.read',
  'post /workspaces/:workspaceId/webhooks': 'webhooks.manage',
  'get /workspaces/:workspaceId/webhooks': 'webhooks.manage',
  'get /workspaces/:workspaceId/webhooks/:webhookId': 'webhooks.manage',
  'put /workspaces/:workspaceId/webhooks/:webhookId': 'webhooks.manage',
  'delete /workspaces/:workspaceId/webhooks/:webhookId': 'webhooks.manage',
  'post /workspaces/:workspaceId/webhooks/:webhookId/rotate-secret': 'webhooks.manage',
  'get /workspaces/:workspaceId/webhooks/:webhookId/deliveries': 'webhooks.manage',
  'post /workspaces/:workspaceId/webhooks/:webhookId/deliveries/:deliveryId/retry': 'webhooks.manage',
  'post /workspaces/:workspaceId/api-keys': 'apikeys.manage',
  'get /workspaces/:workspaceId/api-keys': 'apikeys.manage',
  'delete /workspaces/:workspaceId/api-keys/:keyId': 'apikeys.manage',
  'put /workspaces/:workspaceId/sso': 'sso.manage',
  'get /workspaces/:workspaceId/sso': 'sso.manage',
  'delete /workspaces/:workspaceId/sso': 'sso.manage',
  'post /workspaces/:workspaceId/sso/domains': 'sso.manage',
  'post /workspaces/:workspaceId/sso/domains/:domain/verify': 'sso.manage',
  'get /admin/workspaces/:workspaceId/export': 'platform.workspaces.manage',
  'post /admin/workspaces/import': 'platform.workspaces.manage',
  'post /admin/workspaces/:workspaceId/clone': 'platform.workspaces.manage',
  'post /admin/workspaces/:workspaceId/move': 'platform.workspaces.manage',
  'post /admin/workspaces/:workspaceId/purge': 'platform.workspaces.manage',
};

/** Allowed calls that would end the caller's session or the workspace; their effect is tested elsewhere. */
const DESTRUCTIVE = new Set(['post /auth/logout', 'delete /workspaces/:workspaceId', 'delete /users/me']);

const GRANTS: Record<string, string[]> = {
  admin: [
    'users.read',
    'notifications.read',
    'workspaces.manage',
    'members.read',
    'members.invite',
    'members.remove',
    'roles.read',
    'roles.manage',
    'roles.assign',
    'audit.read',
    'webhooks.manage',
    'apikeys.manage',
    'sso.manage',
  ],
  member: ['users.read', 'members.read', 'members.invite', 'roles.read', 'notifications.read'],
  viewer: ['users.read', 'members.read', 'roles.read', 'notifications.read'],
  custom: ['audit.read'],
};

const BODIES: Record<string, () => object> = {
  'post /workspaces': () => ({ name: 'Matrix side project' }),
  'put /workspaces/:workspaceId': () => ({ name: 'Matrix Co' }),
  'post /workspaces/:workspaceId/members/invite': () => ({ email: `m-${randomUUID()}@example.com`, role: 'viewer' }),
  'post /workspaces/:workspaceId/members/accept': () => ({ token: 'inv_not_a_real_token_000' }),
  'post /workspaces/:workspaceId/roles': () => ({ name: `r-${randomUUID().slice(0, 8)}`, permissions: [] }),
  'put /workspaces/:workspaceId/roles/:roleId': () => ({ description: 'x' }),
  'put /workspaces/:workspaceId/roles/:roleId/permissions': () => ({ permissions: [] }),
  'put /workspaces/:workspaceId/members/:userId/roles': () => ({ roles: ['viewer'] }),
  'post /workspaces/:workspaceId/api-keys': () => ({ name: 'matrix', roles: ['viewer'] }),
  'put /workspaces/:workspaceId/sso': () => ({ issuer: 'https://login.example.com', clientId: 'c', clientSecret: 's' }),
  'post /workspaces/:workspaceId/sso/domains': () => ({ domain: 'matrix.example.com' }),
  'post /auth/logout': () => ({}),
  'put /users/me': () => ({ timezone: 'Europe/Paris' }),
  'patch /users/:id/status': () => ({ status: 'inactive' }),
  // Refused as a private address (422) once authorized: nothing is created or called.
  'post /workspaces/:workspaceId/webhooks': () => ({ url: 'http://127.0.0.1:9/x', eventTypes: ['workspace:updated'] }),
  'put /workspaces/:workspaceId/webhooks/:webhookId': () => ({ enabled: false }),
};

/** Query strings that make a call valid, so an allowed caller passes validation. */
const QUERIES: Record<string, string> = {
  'get /users/search': 'q=a',
};

type Caller = 'anonymous' | 'admin' | 'member' | 'viewer' | 'custom' | 'other_workspace' | 'platform_admin' | 'api_key';

describe('authorization matrix: every authenticated route × every kind of caller', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  let workspaceId: string;
  const accounts: Partial<Record<Caller, Account>> = {};

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
    const admin = await verifiedAccount(server);
    workspaceId = (await createWorkspace(server, admin, 'Matrix Co')).id;
    await switchTo(server, admin, workspaceId);
    accounts.admin = admin;
    await request(server.url)
      .post(`${API}/workspaces/${workspaceId}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'custom', permissions: ['audit.read'] });
    for (const role of ['member', 'viewer', 'custom'] as const) {
      const account = await verifiedAccount(server);
      await inviteAndJoin(server, receiver, admin, { id: workspaceId, name: 'Matrix Co' }, account, role);
      accounts[role] = account;
    }
    const other = await verifiedAccount(server);
    await switchTo(server, other, (await createWorkspace(server, other, 'Elsewhere')).id);
    accounts.other_workspace = other;
    const platform = await verifiedAccount(server);
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [platform.user.id],
    );
    accounts.platform_admin = platform;
    // A workspace API key holding the member role: it stands in for an account's access token.
    const key = await request(server.url)
      .post(`${API}/workspaces/${workspaceId}/api-keys`)
      .set(bearer(admin.accessToken))
      .send({ name: 'matrix key', roles: ['member'] });
    accounts.api_key = { ...admin, accessToken: key.body.data.key as string };
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  /** A way into a route: the route itself, or one of its `?scope=` alternatives with their own guards. */
  interface Entry {
    key: string;
    route: RouteSpec;
    auth: RouteSpec['auth'];
    permission: string | null | undefined;
    scope?: string;
  }
  const routes = (): Entry[] =>
    server.container
      .get(TOKENS.routes)
      .list()
      .filter((r) => r.auth !== 'public' && !r.path.startsWith('/_probe'))
      .flatMap((r) => [
        { key: `${r.method} ${r.path}`, route: r, auth: r.auth, permission: r.permission },
        ...Object.entries(r.scopes ?? {}).map(([scope, s]) => ({
          key: `${r.method} ${r.path}?scope=${scope}`,
          route: r,
          auth: s.auth,
          permission: s.permission,
          scope,
        })),
      ]);

  test('when a route is mounted, then the matrix has a rule for it, equal to the permission it declares', () => {
    for (const entry of routes()) {
      expect({ route: entry.key, rule: RULES[entry.key] }).toEqual({
        route: entry.key,
        rule: entry.permission ?? (entry.key.endsWith('/members/:userId') ? 'members.remove' : 'any'),
      });
    }
  });

  /** What a caller should get: allowed, or refused with this status and code. */
  function expected(caller: Caller, entry: Entry): 'allowed' | [number, string] {
    const { route } = entry;
    const rule = RULES[entry.key]!;
    if (caller === 'anonymous') return [401, 'UNAUTHORIZED'];
    if (caller === 'api_key') {
      // People's routes, and workspace routes open to any caller, are closed to keys.
      if (entry.auth !== 'workspace' || !entry.permission) return [403, 'API_KEY_NOT_ALLOWED'];
      return GRANTS.member!.includes(rule) ? 'allowed' : [403, 'PERMISSION_DENIED'];
    }
    if (rule.startsWith('platform.')) return caller === 'platform_admin' ? 'allowed' : [403, 'PERMISSION_DENIED'];
    const namesWorkspace = route.path.includes(':workspaceId') && !route.path.endsWith('/switch');
    if (entry.auth === 'workspace') {
      if (caller === 'platform_admin') return [403, 'WORKSPACE_REQUIRED'];
      if (caller === 'other_workspace' && namesWorkspace) return [403, 'WORKSPACE_NOT_ACTIVE'];
    }
    if (caller === 'other_workspace' || caller === 'platform_admin') {
      // Outside the tenant: 'any' routes answer, but W's details are not theirs to see.
      if (route.path === '/workspaces/:workspaceId' && route.method === 'get') return [404, 'WORKSPACE_NOT_FOUND'];
      return 'allowed';
    }
    if (rule === 'any') return 'allowed';
    return GRANTS[caller]!.includes(rule) ? 'allowed' : [403, 'PERMISSION_DENIED'];
  }

  const CALLERS: Caller[] = [
    'anonymous',
    'admin',
    'member',
    'viewer',
    'custom',
    'other_workspace',
    'platform_admin',
    'api_key',
  ];

  test.each(CALLERS)('when %s calls every authenticated route, then each answers as the rules say', async (caller) => {
    const mismatches: string[] = [];
    for (const entry of routes()) {
      const { route } = entry;
      const want = expected(caller, entry);
      if (want === 'allowed' && DESTRUCTIVE.has(entry.key)) continue;
      const query = [QUERIES[`${route.method} ${route.path}`], entry.scope && `scope=${entry.scope}`].filter(Boolean);
      const path = route.path
        .replace(/\/:workspaceId\/switch$/, `/${randomUUID()}/switch`)
        .replace(':workspaceId', workspaceId)
        .replace(/:(\w+)/g, randomUUID());
      let call = request(server.url)[route.method](`${API}${path}${query.length ? `?${query.join('&')}` : ''}`);
      const account = accounts[caller];
      if (account) call = call.set(bearer(account.accessToken));
      const res = await call.send(BODIES[`${route.method} ${route.path}`]?.() ?? {});
      const code = res.body?.error?.code as string | undefined;
      const ok =
        want === 'allowed'
          ? res.status !== 401 &&
            !['PERMISSION_DENIED', 'WORKSPACE_REQUIRED', 'WORKSPACE_NOT_ACTIVE', 'API_KEY_NOT_ALLOWED'].includes(
              code ?? '',
            )
          : res.status === want[0] && code === want[1];
      if (!ok) mismatches.push(`${entry.key}: expected ${JSON.stringify(want)}, got ${res.status} ${code ?? ''}`);
    }
    expect(mismatches).toEqual([]);
  });
});
