import request from 'supertest';
import { probeModule } from '../support/probe-module';
import { startTestServer, type TestServer } from '../support/test-server';

const ALLOWED_ORIGIN = 'https://app.example.com';

describe('HTTP pipeline', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: ALLOWED_ORIGIN, BODY_LIMIT_KB: '1' }, { modules: [probeModule] });
  });
  afterAll(() => server.stop());

  const expectEnvelope = (body: unknown, code: string) => {
    expect(body).toEqual({
      error: { code, message: expect.any(String), details: expect.any(Array), requestId: expect.any(String) },
    });
  };

  test('when a route does not exist, then 404 in the error envelope with the request id', async () => {
    const res = await request(server.url).get('/api/v1/no-such-route');
    expect(res.status).toBe(404);
    expectEnvelope(res.body, 'ROUTE_NOT_FOUND');
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });

  test('when the JSON body is malformed, then 400 MALFORMED_JSON', async () => {
    const res = await request(server.url)
      .post('/api/v1/_probe/echo')
      .set('Content-Type', 'application/json')
      .send('{"name": "unterminated');
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'MALFORMED_JSON');
  });

  test('when the body exceeds the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(server.url)
      .post('/api/v1/_probe/echo')
      .send({ name: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expectEnvelope(res.body, 'PAYLOAD_TOO_LARGE');
  });

  test('when the body has an unknown key, then 400 VALIDATION_ERROR naming it', async () => {
    const res = await request(server.url).post('/api/v1/_probe/echo').send({ name: 'a', isAdmin: true });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body', code: 'unrecognized_keys' })]);
  });

  test('when a field has the wrong type, then 400 with the field path', async () => {
    const res = await request(server.url).post('/api/v1/_probe/echo').send({ name: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('body.name');
  });

  test('when a route without query parameters gets one, then 400', async () => {
    const res = await request(server.url).get('/health/live?debug=1');
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'VALIDATION_ERROR');
  });

  test('when input is valid, then the handler answers in the data envelope and undeclared fields are stripped', async () => {
    const res = await request(server.url).post('/api/v1/_probe/echo').send({ name: 'Ada' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ data: { name: 'Ada' } });
  });

  test('when a list is requested, then data and meta follow the contract and page bounds are enforced', async () => {
    const res = await request(server.url).get('/api/v1/_probe/items?page=3&limit=20');
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 3, limit: 20, total: 45 });
    expect(res.body.data).toEqual([{ n: 41 }, { n: 42 }, { n: 43 }, { n: 44 }, { n: 45 }]);
    for (const bad of ['limit=101', 'limit=0', 'page=-1', 'page=abc', 'sort=name']) {
      const refused = await request(server.url).get(`/api/v1/_probe/items?${bad}`);
      expect(refused.status).toBe(400);
    }
  });

  test('when a handler throws unexpectedly, then 500 with a generic message and nothing of the cause', async () => {
    const res = await request(server.url).get('/api/v1/_probe/boom');
    expect(res.status).toBe(500);
    expectEnvelope(res.body, 'INTERNAL_ERROR');
    expect(JSON.stringify(res.body)).not.toMatch(/secret_table|SELECT|at .*\.ts/);
  });

  test('when the method is not allowed on a path, then 405 in the envelope', async () => {
    const res = await request(server.url).delete('/health/live');
    expect(res.status).toBe(405);
    expectEnvelope(res.body, 'METHOD_NOT_ALLOWED');
  });

  test('when the client sends a sane X-Request-Id, then it is echoed', async () => {
    const res = await request(server.url).get('/health/live').set('X-Request-Id', 'client-req-12345');
    expect(res.headers['x-request-id']).toBe('client-req-12345');
  });

  test('when the client sends a hostile X-Request-Id, then a fresh one replaces it', async () => {
    const res = await request(server.url).get('/health/live').set('X-Request-Id', 'bad id\twith "quotes"');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when any response is sent, then helmet headers are present and X-Powered-By is absent', async () => {
    const res = await request(server.url).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined(); // HSTS only in production
  });

  test('when the origin is listed, then CORS allows it with credentials', async () => {
    const res = await request(server.url)
      .options('/api/v1/_probe/echo')
      .set('Origin', ALLOWED_ORIGIN)
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  test('when the origin is not listed, then no CORS header allows it', async () => {
    const res = await request(server.url)
      .options('/api/v1/_probe/echo')
      .set('Origin', 'https://evil.example.net')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await request(server.url).get('/health/live').set('Origin', 'https://evil.example.net');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });
});
