import { expectError } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount, type Account } from '../../support/workspace-helpers';
import { adminWithWorkspace, as, ids, ISO, joined, makePlatformAdmin, SUMMARY_KEYS, USER_VIEW_KEYS } from './helpers';

describe('user directory: GET /users, /users/search, /users/:id', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const rename = async (who: Account, name: string) => {
    const res = await as(server, who).put('/users/me', { name });
    if (res.status !== 200) throw new Error(`rename answered ${res.status}: ${JSON.stringify(res.body)}`);
  };

  /** Workspace A (admin, member, viewer) and workspace B (its admin and a member), named as given. */
  async function twoWorkspaces(names: { a: [string, string, string]; b: [string, string] }) {
    const { admin, ws } = await adminWithWorkspace(server, 'Directory A');
    const member = await joined(server, receiver, admin, ws, 'member');
    const viewer = await joined(server, receiver, admin, ws, 'viewer');
    const other = await adminWithWorkspace(server, 'Directory B');
    const stranger = await joined(server, receiver, other.admin, other.ws, 'member');
    await rename(admin, names.a[0]);
    await rename(member, names.a[1]);
    await rename(viewer, names.a[2]);
    await rename(other.admin, names.b[0]);
    await rename(stranger, names.b[1]);
    return { admin, member, viewer, ws, otherAdmin: other.admin, stranger };
  }

  test('when a member lists users, then 200 with exactly the active workspace members as UserSummary and meta', async () => {
    const t = await twoWorkspaces({
      a: ['Alpha Admin', 'Alpha Member', 'Alpha Viewer'],
      b: ['Beta Admin', 'Beta Member'],
    });

    const res = await as(server, t.member).get('/users');

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'meta']);
    expect(res.body.meta).toEqual({ page: 1, limit: expect.any(Number), total: 3 });
    // Default order: created_at ascending.
    expect(ids(res.body)).toEqual([t.admin.user.id, t.member.user.id, t.viewer.user.id]);
    for (const user of res.body.data) expect(Object.keys(user).sort()).toEqual(SUMMARY_KEYS);
    expect(res.body.data[1]).toEqual({
      id: t.member.user.id,
      email: t.member.email,
      name: 'Alpha Member',
      avatarUrl: null,
      timezone: null,
      status: 'active',
      createdAt: expect.stringMatching(ISO),
    });
    const viewerView = await as(server, t.viewer).get('/users');
    expect(viewerView.status).toBe(200);
    expect(ids(viewerView.body).sort()).toEqual(ids(res.body).sort());
    const fromB = await as(server, t.stranger).get('/users');
    expect(ids(fromB.body).sort()).toEqual([t.otherAdmin.user.id, t.stranger.user.id].sort());
  });

  test('when paging, sorting and filtering, then the page, order and total follow the query', async () => {
    const t = await twoWorkspaces({ a: ['charlie', 'Alice', 'bob'], b: ['Aaron', 'Zed'] });
    const list = async (query: string) => {
      const res = await as(server, t.viewer).get(`/users?${query}`);
      expect(res.status).toBe(200);
      return res.body as { data: { id: string; name: string; email: string }[]; meta: object };
    };

    expect((await list('sort=name')).data.map((u) => u.name)).toEqual(['Alice', 'bob', 'charlie']);
    expect((await list('sort=name&order=desc')).data.map((u) => u.name)).toEqual(['charlie', 'bob', 'Alice']);
    const byEmail = (await list('sort=email&order=asc')).data.map((u) => u.email);
    expect(byEmail).toEqual([...byEmail].sort());
    expect((await list('order=desc')).data.map((u) => u.id)).toEqual([
      t.viewer.user.id,
      t.member.user.id,
      t.admin.user.id,
    ]);

    const page2 = await list('sort=name&limit=2&page=2');
    expect(page2.data.map((u) => u.name)).toEqual(['charlie']);
    expect(page2.meta).toEqual({ page: 2, limit: 2, total: 3 });
    const past = await list('limit=2&page=5');
    expect(past.data).toEqual([]);
    expect(past.meta).toEqual({ page: 5, limit: 2, total: 3 });

    await execute(server, "UPDATE public.users SET status = 'inactive' WHERE id = $1", [t.member.user.id]);
    const inactive = await list('status=inactive');
    expect(inactive.data.map((u) => u.id)).toEqual([t.member.user.id]);
    expect(inactive.meta).toEqual(expect.objectContaining({ total: 1 }));
    expect((await list('status=active')).data.map((u) => u.id)).toEqual([t.admin.user.id, t.viewer.user.id]);
    expect((await list('status=banned')).data).toEqual([]);
  });

  test.each([
    'limit=101',
    'limit=0',
    'page=0',
    'page=-1',
    'limit=abc',
    'page=1.5',
    'sort=password_hash',
    'sort=lower(name)',
    'order=sideways',
    'status=deleted',
    'scope=bogus',
    'unknown=1',
    'search=alice',
  ])('when GET /users gets the query %s, then 400 VALIDATION_ERROR', async (query) => {
    const { admin } = await adminWithWorkspace(server, 'Query Checks');
    expectError(await as(server, admin).get(`/users?${query}`), 400, 'VALIDATION_ERROR');
  });

  test('when the caller has no active workspace, then 403 WORKSPACE_REQUIRED on every workspace-scoped read', async () => {
    const loner = await verifiedAccount(server);
    const someone = await verifiedAccount(server);

    expectError(await as(server, loner).get('/users'), 403, 'WORKSPACE_REQUIRED');
    expectError(await as(server, loner).get('/users?scope=bogus'), 403, 'WORKSPACE_REQUIRED');
    expectError(await as(server, loner).get('/users/search?q=a'), 403, 'WORKSPACE_REQUIRED');
    expectError(await as(server, loner).get(`/users/${someone.user.id}`), 403, 'WORKSPACE_REQUIRED');
  });

  test('when a user looks up someone by id, then members answer as UserSummary, strangers and unknowns are 404, bad ids 400', async () => {
    const t = await twoWorkspaces({ a: ['Ida', 'Ivo', 'Isa'], b: ['Otto', 'Olga'] });

    const found = await as(server, t.viewer).get(`/users/${t.member.user.id}`);
    expect(found.status).toBe(200);
    expect(Object.keys(found.body.data).sort()).toEqual(SUMMARY_KEYS);
    expect(found.body.data).toEqual(
      expect.objectContaining({ id: t.member.user.id, name: 'Ivo', email: t.member.email }),
    );

    expectError(await as(server, t.member).get(`/users/${t.stranger.user.id}`), 404, 'USER_NOT_FOUND');
    expectError(await as(server, t.stranger).get(`/users/${t.member.user.id}`), 404, 'USER_NOT_FOUND');
    expectError(await as(server, t.member).get('/users/00000000-0000-4000-8000-000000000000'), 404, 'USER_NOT_FOUND');
    expectError(await as(server, t.member).get('/users/not-a-uuid'), 400, 'VALIDATION_ERROR');
    expectError(await as(server, t.member).get(`/users/${t.admin.user.id}?extra=1`), 400, 'VALIDATION_ERROR');
  });

  test('when searching, then the match is a case-insensitive substring of name or email, by name, within the workspace only', async () => {
    const t = await twoWorkspaces({
      a: ['Zoe Searchable', 'anna searchable', 'Nobody'],
      b: ['Searchable Stranger', 'x'],
    });

    const res = await as(server, t.member).get('/users/search?q=SEARCHABLE');
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: { name: string }) => u.name)).toEqual(['anna searchable', 'Zoe Searchable']);
    expect(res.body.meta).toEqual({ page: 1, limit: 10, total: 2 });
    for (const user of res.body.data) expect(Object.keys(user).sort()).toEqual(SUMMARY_KEYS);

    const byEmail = await as(server, t.member).get(
      `/users/search?q=${encodeURIComponent(t.viewer.email.slice(2, 14).toUpperCase())}`,
    );
    expect(ids(byEmail.body)).toEqual([t.viewer.user.id]);
    const strangerEmail = await as(server, t.member).get(`/users/search?q=${encodeURIComponent(t.stranger.email)}`);
    expect(strangerEmail.status).toBe(200);
    expect(strangerEmail.body.data).toEqual([]);
    expect(strangerEmail.body.meta.total).toBe(0);

    const paged = await as(server, t.member).get('/users/search?q=searchable&limit=1&page=2');
    expect(paged.body.data.map((u: { name: string }) => u.name)).toEqual(['Zoe Searchable']);
    expect(paged.body.meta).toEqual({ page: 2, limit: 1, total: 2 });
  });

  test('when the search term holds LIKE metacharacters, then they match literally', async () => {
    const { admin, ws } = await adminWithWorkspace(server, 'Wildcards');
    const percent = await joined(server, receiver, admin, ws, 'member');
    const letter = await joined(server, receiver, admin, ws, 'member');
    const underscore = await joined(server, receiver, admin, ws, 'viewer');
    const backslash = await joined(server, receiver, admin, ws, 'viewer');
    await rename(admin, 'Plain Admin');
    // Letters past f: a hex digit could match inside a member's random (UUID) email.
    await rename(percent, 'zz% real');
    await rename(letter, 'zzx real');
    await rename(underscore, 'snake_case');
    await rename(backslash, 'back\\slash');
    const search = (q: string) => as(server, admin).get(`/users/search?q=${encodeURIComponent(q)}`);

    const pct = await search('zz%');
    expect(pct.status).toBe(200);
    expect(ids(pct.body)).toEqual([percent.user.id]);
    const under = await search('_');
    expect(ids(under.body)).toEqual([underscore.user.id]);
    const slash = await search('\\');
    expect(slash.status).toBe(200);
    expect(ids(slash.body)).toEqual([backslash.user.id]);
    const both = await search('zz');
    expect(ids(both.body)).toEqual([percent.user.id, letter.user.id]);
    expect((await search("'; DROP TABLE users; --")).body.data).toEqual([]);
  });

  test.each([
    ['an empty q', 'q='],
    ['a blank q', 'q=%20%20'],
    ['no q', 'limit=5'],
    ['a 101-character q', `q=${'x'.repeat(101)}`],
    ['limit 51', 'q=a&limit=51'],
    ['page 0', 'q=a&page=0'],
    ['an unknown key', 'q=a&sort=email'],
    ['scope bogus', 'q=a&scope=bogus'],
  ])('when searching with %s, then 400 VALIDATION_ERROR', async (_what, query) => {
    const { admin } = await adminWithWorkspace(server, 'Search Checks');
    expectError(await as(server, admin).get(`/users/search?${query}`), 400, 'VALIDATION_ERROR');
  });

  test('when searching with limit 50 and a 100-character q, then 200', async () => {
    const { admin } = await adminWithWorkspace(server, 'Search Bounds');
    const res = await as(server, admin).get(`/users/search?q=${'x'.repeat(100)}&limit=50`);
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, limit: 50, total: 0 });
  });

  test('when a platform admin without a workspace uses scope=platform, then every live account is listed with the full view', async () => {
    const t = await twoWorkspaces({ a: ['Pa', 'Pb', 'Pc'], b: ['Pd', 'Pe'] });
    const root = await verifiedAccount(server);
    await makePlatformAdmin(server, root);

    const res = await as(server, root).get('/users?scope=platform&sort=created_at&order=desc&limit=100');

    expect(res.status).toBe(200);
    const [live] = await selectRows<{ count: string }>(
      server,
      'SELECT count(*) AS count FROM public.users WHERE deleted_at IS NULL',
    );
    // Other suites create and delete accounts in parallel: the total is of the same order, not equal.
    expect(res.body.meta).toEqual({ page: 1, limit: 100, total: expect.any(Number) });
    expect(res.body.meta.total).toBeGreaterThanOrEqual(6);
    expect(Math.abs(res.body.meta.total - Number(live!.count))).toBeLessThan(50);
    for (const user of res.body.data) expect(Object.keys(user).sort()).toEqual(USER_VIEW_KEYS);
    // Newest first: the accounts just created, of both workspaces and none, are on the first page.
    expect(ids(res.body)).toEqual(
      expect.arrayContaining([
        t.admin.user.id,
        t.member.user.id,
        t.otherAdmin.user.id,
        t.stranger.user.id,
        root.user.id,
      ]),
    );

    const one = await as(server, root).get(`/users/${t.stranger.user.id}?scope=platform`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual(
      expect.objectContaining({
        id: t.stranger.user.id,
        name: 'Pe',
        emailVerified: true,
        locale: null,
        lastLoginAt: expect.stringMatching(ISO),
      }),
    );
    expect(Object.keys(one.body.data).sort()).toEqual(USER_VIEW_KEYS);

    const found = await as(server, root).get(`/users/search?scope=platform&q=${encodeURIComponent(t.stranger.email)}`);
    expect(found.status).toBe(200);
    expect(ids(found.body)).toEqual([t.stranger.user.id]);
    expect(Object.keys(found.body.data[0]).sort()).toEqual(USER_VIEW_KEYS);

    expectError(await as(server, root).get('/users'), 403, 'WORKSPACE_REQUIRED');
    expectError(await as(server, root).get('/users?scope=platform&limit=101'), 400, 'VALIDATION_ERROR');
    expectError(
      await as(server, root).get('/users/00000000-0000-4000-8000-000000000000?scope=platform'),
      404,
      'USER_NOT_FOUND',
    );
  });

  test('when a workspace admin asks for scope=platform, then 403 PERMISSION_DENIED on list, search and lookup', async () => {
    const { admin } = await adminWithWorkspace(server, 'No Platform');
    const loner = await verifiedAccount(server);

    expectError(await as(server, admin).get('/users?scope=platform'), 403, 'PERMISSION_DENIED');
    expectError(await as(server, admin).get('/users/search?scope=platform&q=a'), 403, 'PERMISSION_DENIED');
    expectError(await as(server, admin).get(`/users/${loner.user.id}?scope=platform`), 403, 'PERMISSION_DENIED');
    expectError(await as(server, loner).get('/users?scope=platform'), 403, 'PERMISSION_DENIED');
  });

  test('when a workspace member was refused scope=platform, then their workspace listing still works right after', async () => {
    const { admin } = await adminWithWorkspace(server, 'Refused Then Fine');

    expectError(await as(server, admin).get('/users?scope=platform'), 403, 'PERMISSION_DENIED');

    const res = await as(server, admin).get('/users');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([admin.user.id]);
  });

  test('when a platform admin who is also a workspace member uses scope=platform first, then their workspace listing still works', async () => {
    const { admin } = await adminWithWorkspace(server, 'Both Hats');
    await makePlatformAdmin(server, admin);

    expect((await as(server, admin).get('/users?scope=platform')).status).toBe(200);

    const res = await as(server, admin).get('/users');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([admin.user.id]);
  });
});
