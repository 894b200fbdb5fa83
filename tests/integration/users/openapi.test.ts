import request from 'supertest';
import { startTestServer, type TestServer } from '../../support/test-server';

type Operation = {
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { format?: string }> } }> };
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
  'x-permissions'?: string[];
};
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document of the users feature', () => {
  let server: TestServer;
  let doc: Doc;

  beforeAll(async () => {
    server = await startTestServer();
    const res = await request(server.url).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => server.stop());

  test('when fetched, then every users path and method is documented', () => {
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(methods('/api/v1/users')).toEqual(['get']);
    expect(methods('/api/v1/users/search')).toEqual(['get']);
    expect(methods('/api/v1/users/{id}')).toEqual(['delete', 'get']);
    expect(methods('/api/v1/users/{id}/status')).toEqual(['patch']);
    expect(methods('/api/v1/users/me')).toEqual(['delete', 'get', 'put']);
    expect(methods('/api/v1/users/me/avatar')).toEqual(['delete', 'post']);
    expect(methods('/api/v1/avatars/{key}')).toEqual(['get']);
    expect(methods('/api/v1/auth/confirm-email')).toEqual(['post']);
  });

  test('when the avatar upload is read, then its body is multipart/form-data with a binary "file"', () => {
    const op = doc.paths['/api/v1/users/me/avatar']!.post!;
    expect(Object.keys(op.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(op.requestBody!.content['multipart/form-data']!.schema.properties?.file).toEqual(
      expect.objectContaining({ format: 'binary' }),
    );
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '413']));
  });

  test('when the list and admin routes are read, then their query parameters and permissions are declared', () => {
    const list = doc.paths['/api/v1/users']!.get!;
    expect(list.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['page', 'limit', 'sort', 'order', 'status', 'scope']),
    );
    expect(list['x-permissions']).toEqual(expect.arrayContaining(['users.read', 'platform.users.manage']));
    expect(doc.paths['/api/v1/users/{id}/status']!.patch!['x-permissions']).toEqual(['platform.users.manage']);
    expect(doc.paths['/api/v1/users/{id}']!.delete!['x-permissions']).toEqual(['platform.users.manage']);
    expect(Object.keys(doc.paths['/api/v1/users/me']!.put!.requestBody!.content)).toEqual(['application/json']);
  });
});
