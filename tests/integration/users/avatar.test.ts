import request from 'supertest';
import { API, bearer, expectError, me } from '../../support/auth-helpers';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount, type Account } from '../../support/workspace-helpers';
import { as, makePlatformAdmin, PNG, USER_VIEW_KEYS } from './helpers';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF-fake-jpeg-body')]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 fake-webp-body')]);

const avatarUrlOf = (userId: string, ext: string) => new RegExp(`^/api/v1/avatars/${userId}-[0-9a-f]{16}\\.${ext}$`);

describe('avatars: POST/DELETE /users/me/avatar and GET /avatars/:key', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const upload = (who: Account, bytes: Buffer, filename = 'x.png') =>
    request(server.url).post(`${API}/users/me/avatar`).set(bearer(who.accessToken)).attach('file', bytes, filename);
  /** The public image URL, fetched without any credentials. */
  const fetchImage = (url: string) =>
    request(server.url)
      .get(url)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  test('when a PNG is uploaded, then 200 with its URL, and the URL serves the same bytes as image/png without auth', async () => {
    const account = await verifiedAccount(server);

    const res = await upload(account, PNG, 'photo.txt');

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual(USER_VIEW_KEYS);
    expect(res.body.data.avatarUrl).toMatch(avatarUrlOf(account.user.id, 'png'));
    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBe(res.body.data.avatarUrl);

    const image = await fetchImage(res.body.data.avatarUrl);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(image.body as Buffer, PNG)).toBe(0);
  });

  test.each([
    ['JPEG', JPEG, 'jpg', 'image/jpeg'],
    ['WebP', WEBP, 'webp', 'image/webp'],
  ])(
    'when a %s is uploaded under a misleading name, then its type comes from its content',
    async (_kind, bytes, ext, type) => {
      const account = await verifiedAccount(server);

      const res = await upload(account, bytes, 'picture.png');

      expect(res.status).toBe(200);
      expect(res.body.data.avatarUrl).toMatch(avatarUrlOf(account.user.id, ext));
      const image = await fetchImage(res.body.data.avatarUrl);
      expect(image.status).toBe(200);
      expect(image.headers['content-type']).toBe(type);
      expect(Buffer.compare(image.body as Buffer, bytes)).toBe(0);
    },
  );

  test.each([
    ['a text file named evil.png', Buffer.from('definitely not an image\n'), 'evil.png'],
    [
      'an SVG with script',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'a.svg',
    ],
    ['a GIF', Buffer.from('GIF89a-fake-gif-body'), 'a.gif'],
    ['a truncated PNG signature', PNG.subarray(0, 7), 'a.png'],
  ])('when %s is uploaded, then 400 UNSUPPORTED_IMAGE and the avatar is unchanged', async (_what, bytes, name) => {
    const account = await verifiedAccount(server);

    expectError(await upload(account, bytes, name), 400, 'UNSUPPORTED_IMAGE');

    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBeNull();
  });

  test('when the file is larger than the default 1 MiB limit, then 413', async () => {
    const account = await verifiedAccount(server);
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024 + 1, 0x41)]);

    const res = await upload(account, big);

    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('FILE_TOO_LARGE');
    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBeNull();
  });

  test('when the request carries no usable single file, then 400', async () => {
    const account = await verifiedAccount(server);
    const post = () => request(server.url).post(`${API}/users/me/avatar`).set(bearer(account.accessToken));

    expect((await post().send({ file: PNG.toString('base64') })).status).toBe(400);
    expect((await post()).status).toBe(400);
    expect((await post().field('file', 'not a file')).status).toBe(400);
    expect((await post().attach('avatar', PNG, 'x.png')).status).toBe(400);
    expect((await post().attach('file', Buffer.alloc(0), 'empty.png')).status).toBe(400);
    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBeNull();
  });

  test('when two small files are sent, then 400 VALIDATION_ERROR (not 413: nothing is too large)', async () => {
    const account = await verifiedAccount(server);
    const post = () => request(server.url).post(`${API}/users/me/avatar`).set(bearer(account.accessToken));

    expectError(await post().attach('file', PNG, 'a.png').attach('file', PNG, 'b.png'), 400, 'VALIDATION_ERROR');
    expectError(await post().attach('file', PNG, 'a.png').attach('other', PNG, 'b.png'), 400, 'VALIDATION_ERROR');
    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBeNull();
  });

  test('when uploading without a token, then 401', async () => {
    const res = await request(server.url).post(`${API}/users/me/avatar`).attach('file', PNG, 'x.png');
    expect(res.status).toBe(401);
  });

  test('when a second avatar is uploaded, then the first URL answers 404 and the new one serves', async () => {
    const account = await verifiedAccount(server);
    const first = (await upload(account, PNG)).body.data.avatarUrl as string;

    const second = await upload(account, JPEG, 'x.jpg');

    expect(second.status).toBe(200);
    const url = second.body.data.avatarUrl as string;
    expect(url).not.toBe(first);
    expectError(await request(server.url).get(first), 404, 'AVATAR_NOT_FOUND');
    expect((await fetchImage(url)).status).toBe(200);
  });

  test('when the avatar is removed, then avatarUrl is null and the old URL answers 404; removing again is harmless', async () => {
    const account = await verifiedAccount(server);
    const url = (await upload(account, PNG)).body.data.avatarUrl as string;

    const res = await as(server, account).delete('/users/me/avatar');

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(expect.objectContaining({ id: account.user.id, avatarUrl: null }));
    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBeNull();
    expectError(await request(server.url).get(url), 404, 'AVATAR_NOT_FOUND');
    const again = await as(server, account).delete('/users/me/avatar');
    expect(again.status).toBe(200);
    expect(again.body.data.avatarUrl).toBeNull();
  });

  test('when the avatar is replaced by an https URL through PUT /users/me, then the uploaded file is deleted', async () => {
    const account = await verifiedAccount(server);
    const url = (await upload(account, PNG)).body.data.avatarUrl as string;

    const res = await as(server, account).put('/users/me', { avatarUrl: 'https://cdn.example.com/me.png' });

    expect(res.status).toBe(200);
    expect(res.body.data.avatarUrl).toBe('https://cdn.example.com/me.png');
    expect((await request(server.url).get(url)).status).toBe(404);
  });

  test("when an account is deleted, then its uploaded avatar stops being served, and others' avatars are untouched", async () => {
    const root = await verifiedAccount(server);
    await makePlatformAdmin(server, root);
    const leaving = await verifiedAccount(server);
    const staying = await verifiedAccount(server);
    const leavingUrl = (await upload(leaving, PNG)).body.data.avatarUrl as string;
    const stayingUrl = (await upload(staying, PNG)).body.data.avatarUrl as string;

    expect((await as(server, root).delete(`/users/${leaving.user.id}`)).status).toBe(204);

    expect((await request(server.url).get(leavingUrl)).status).toBe(404);
    expect((await fetchImage(stayingUrl)).status).toBe(200);
  });

  test.each([
    '/api/v1/avatars/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '/api/v1/avatars/%2e%2e%2f%2e%2e%2fpackage.json',
    '/api/v1/avatars/..%5C..%5Cetc%5Cpasswd',
    '/api/v1/avatars/../../etc/passwd',
    '/api/v1/avatars/.env',
    '/api/v1/avatars/%2Fetc%2Fpasswd',
    '/api/v1/avatars/00000000-0000-4000-8000-000000000000-0123456789abcdef.png',
  ])('when %s is requested, then 404 or 400 and never a file', async (path) => {
    const res = await request(server.url).get(path);
    expect([400, 404]).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).not.toMatch(/root:|"name"\s*:\s*"tenant|DATABASE_URL/);
  });

  test('when the content-type sidecar of a real avatar is requested, then 404', async () => {
    const account = await verifiedAccount(server);
    const url = (await upload(account, PNG)).body.data.avatarUrl as string;
    expect((await request(server.url).get(`${url}.type`)).status).toBe(404);
  });
});

describe('avatars with AVATAR_MAX_KB=1', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ AVATAR_MAX_KB: '1' });
  });
  afterAll(() => server.stop());

  const upload = (who: Account, bytes: Buffer) =>
    request(server.url).post(`${API}/users/me/avatar`).set(bearer(who.accessToken)).attach('file', bytes, 'x.png');

  test('when the file is 1025 bytes, then 413 FILE_TOO_LARGE; at 1024 bytes it is accepted', async () => {
    const account = await verifiedAccount(server);
    const sized = (n: number) => Buffer.concat([PNG, Buffer.alloc(n - PNG.length, 0x41)]);

    const tooBig = await upload(account, sized(1025));
    expectError(tooBig, 413, 'FILE_TOO_LARGE');
    expect((await me(server.url, account.accessToken)).body.data.avatarUrl).toBeNull();

    const fits = await upload(account, sized(1024));
    expect(fits.status).toBe(200);
    expect(fits.body.data.avatarUrl).toMatch(avatarUrlOf(account.user.id, 'png'));
  });
});
