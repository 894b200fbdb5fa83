import request, { type Response } from 'supertest';
import { API, bearer, expectError, STRONG_PASSWORD, uniqueEmail } from '../support/auth-helpers';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, switchTo, verifiedAccount } from '../support/workspace-helpers';

/** Text as the client wrote it, with raw bytes spliced in where no UTF-8 encoder would put them. */
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('input encoding: invalid UTF-8 and NUL characters', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  /** fetch, not supertest: superagent would serialise a Buffer body as JSON of its bytes. */
  const postRaw = async (path: string, body: Buffer) => {
    const res = await fetch(`${server.url}${API}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, never> } as unknown as Response;
  };

  const usersWithEmail = (email: string) =>
    selectRows(server, 'SELECT id FROM public.users WHERE email LIKE $1', [`${email.split('@')[0]}%`]);

  describe('a JSON body that is not valid UTF-8', () => {
    test.each([
      ['bytes that are never UTF-8', [0xff, 0xfe]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a sequence cut short', [0xe2, 0x82]],
    ])('when the body holds %s, then 400 MALFORMED_JSON and no account is created', async (_case, invalid) => {
      const email = uniqueEmail();
      const body = bytes(`{"email":"${email}","password":"${STRONG_PASSWORD}","name":"Ada `, invalid, '"}');

      const res = await postRaw('/auth/register', body);

      expectError(res, 400, 'MALFORMED_JSON');
      expect(await usersWithEmail(email)).toEqual([]);
    });

    test('when the body is valid UTF-8 including a literal U+FFFD, then it is accepted as written', async () => {
      const email = uniqueEmail();
      const res = await postRaw(
        '/auth/register',
        bytes(`{"email":"${email}","password":"${STRONG_PASSWORD}","name":"Ada \u{fffd} 😀"}`),
      );

      expect(res.status).toBe(201);
      expect(res.body.data.name).toBe('Ada \u{fffd} 😀');
    });
  });

  describe('U+0000 in string input', () => {
    test('when an email ends in an escaped NUL, then 400 naming body.email and nothing is stored', async () => {
      const email = uniqueEmail();

      const res = await request(server.url)
        .post(`${API}/auth/register`)
        .set('Content-Type', 'application/json')
        .send(`{"email":"${email}\\u0000","password":"${STRONG_PASSWORD}","name":"Ada"}`);

      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.email' })]);
      expect(await usersWithEmail(email)).toEqual([]);
    });

    test('when a NUL hides in a nested value or an object key, then 400 naming where', async () => {
      const admin = await verifiedAccount(server);
      const { id } = await createWorkspace(server, admin, 'Nul Co');
      await switchTo(server, admin, id);
      const put = (settings: string) =>
        request(server.url)
          .put(`${API}/workspaces/${id}`)
          .set(bearer(admin.accessToken))
          .set('Content-Type', 'application/json')
          .send(`{"settings":${settings}}`);

      const inValue = await put('{"motto":"a\\u0000b"}');
      const inKey = await put('{"mot\\u0000to":"ab"}');

      expectError(inValue, 400, 'VALIDATION_ERROR');
      expect(inValue.body.error.details).toEqual([expect.objectContaining({ path: 'body.settings.motto' })]);
      expectError(inKey, 400, 'VALIDATION_ERROR');
      const [row] = await selectRows<{ settings: object }>(
        server,
        'SELECT settings FROM public.workspaces WHERE id = $1',
        [id],
      );
      expect(JSON.stringify(row?.settings)).not.toMatch(/motto|mot/);
    });

    test('when the search query is %00, then 400 naming query.q', async () => {
      const admin = await verifiedAccount(server);
      const { id } = await createWorkspace(server, admin, 'Search Nul');
      await switchTo(server, admin, id);

      const res = await request(server.url).get(`${API}/users/search?q=%00`).set(bearer(admin.accessToken));

      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'query.q' })]);
    });
  });
});
