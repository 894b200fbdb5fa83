import zlib from 'node:zlib';
import request from 'supertest';
import { extract as tarExtract } from 'tar-stream';
import { Readable } from 'node:stream';
import { API, bearer } from '../support/auth-helpers';
import { execute, selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../support/workspace-helpers';

/** The names of a tar's entries, in order. */
async function entryNames(tar: Buffer): Promise<string[]> {
  const extract = tarExtract();
  Readable.from([tar]).pipe(extract as never);
  const names: string[] = [];
  for await (const entry of extract) {
    names.push(entry.header.name);
    entry.resume();
  }
  return names;
}

const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('tenant lifecycle over HTTP (platform admins)', () => {
  let server: TestServer;
  let root: Account;
  let owner: Account;
  let ws: { id: string; slug: string };

  beforeAll(async () => {
    server = await startTestServer();
    root = await verifiedAccount(server);
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [root.user.id],
    );
    owner = await verifiedAccount(server);
    ws = await createWorkspace(server, owner, 'Routes Lifecycle');
  });
  afterAll(() => server.stop());

  const exported = () =>
    request(server.url)
      .get(`${API}/admin/workspaces/${ws.id}/export`)
      .set(bearer(root.accessToken))
      .buffer(true)
      .parse(binary);

  test('when a platform admin downloads an export, then it is a gzip-compressed archive named after the workspace, header first and manifest last', async () => {
    const res = await exported();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="${ws.slug}-\\d{4}-\\d{2}-\\d{2}\\.tar\\.gz"$`),
    );
    const names = await entryNames(zlib.gunzipSync(res.body as Buffer));
    expect(names[0]).toBe('header.json');
    expect(names.at(-1)).toBe('manifest.json');
    expect(names).toContain('data/tenant/roles/000000.copy');
    const audit = await selectRows(
      server,
      "SELECT actor_id FROM public.audit_events WHERE action = 'workspace.exported' AND target_id = $1",
      [ws.id],
    );
    expect(audit).toContainEqual({ actor_id: root.user.id });
  });

  test('when the archive is uploaded back, then a copy is created (201); without asNew the existing id is a 409; a wrong type or a corrupt body is a 4xx', async () => {
    const archive = (await exported()).body as Buffer;
    const upload = (query: string, body: Buffer, type = 'application/gzip') =>
      request(server.url)
        .post(`${API}/admin/workspaces/import${query}`)
        .set(bearer(root.accessToken))
        .set('Content-Type', type)
        .send(body);

    const copy = await upload('?asNew=true&slug=routes-lifecycle-restored', archive);
    expect(copy.status).toBe(201);
    expect(copy.body.data).toMatchObject({
      workspace: { slug: 'routes-lifecycle-restored', name: 'Routes Lifecycle (copy)' },
      source: { id: ws.id },
      accounts: { matched: 1, created: 0, remapped: 0 },
    });
    await switchTo(server, owner, copy.body.data.workspace.id);

    const again = await upload('', archive);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WORKSPACE_EXISTS');

    const tar = await upload('?asNew=true', zlib.gunzipSync(archive), 'application/x-tar');
    expect(tar.status).toBe(201);
    expect(tar.body.data.workspace.slug).toMatch(/-copy(-\d+)?$/);

    const json = await request(server.url)
      .post(`${API}/admin/workspaces/import`)
      .set(bearer(root.accessToken))
      .send({ a: 1 });
    expect([json.status, json.body.error.code]).toEqual([400, 'UNSUPPORTED_MEDIA_TYPE']);
    const corrupt = await upload('?asNew=true', Buffer.concat([archive.subarray(0, 30), Buffer.alloc(64, 7)]));
    expect([corrupt.status, corrupt.body.error.code]).toEqual([422, 'ARCHIVE_INVALID']);
  });

  test('when a platform admin clones a workspace, then 201 with the copy; an unknown one is a 404', async () => {
    const cloned = await request(server.url)
      .post(`${API}/admin/workspaces/${ws.id}/clone`)
      .set(bearer(root.accessToken))
      .send({ name: 'Routes Clone' });
    expect(cloned.status).toBe(201);
    expect(cloned.body.data.workspace.name).toBe('Routes Clone');
    const missing = await request(server.url)
      .post(`${API}/admin/workspaces/00000000-0000-4000-8000-000000000000/clone`)
      .set(bearer(root.accessToken))
      .send({ name: 'Nothing' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'WORKSPACE_NOT_FOUND']);
  });

  test('when a platform admin purges, then the id must be repeated, a live workspace is refused, and a deleted one is erased with a receipt', async () => {
    const doomed = await createWorkspace(server, owner, 'Routes Doomed');
    const purge = (confirm: string) =>
      request(server.url)
        .post(`${API}/admin/workspaces/${doomed.id}/purge`)
        .set(bearer(root.accessToken))
        .send({ confirm });
    expect((await purge(ws.id)).status).toBe(400);
    const live = await purge(doomed.id);
    expect([live.status, live.body.error.code]).toEqual([422, 'WORKSPACE_NOT_DELETED']);
    await switchTo(server, owner, doomed.id);
    expect(
      (await request(server.url).delete(`${API}/workspaces/${doomed.id}`).set(bearer(owner.accessToken))).status,
    ).toBe(204);
    const done = await purge(doomed.id);
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ workspace: { id: doomed.id }, removed: { directoryRow: 1 } });
    expect(await selectRows(server, 'SELECT 1 FROM public.workspaces WHERE id = $1', [doomed.id])).toEqual([]);
  });

  test('when someone without the platform permission calls a lifecycle route, then 403', async () => {
    const res = await request(server.url).get(`${API}/admin/workspaces/${ws.id}/export`).set(bearer(owner.accessToken));
    expect([res.status, res.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
  });
});
