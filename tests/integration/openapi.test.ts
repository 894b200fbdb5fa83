import SwaggerParser from '@apidevtools/swagger-parser';
import type Router from '@koa/router';
import type Koa from 'koa';
import request from 'supertest';
import { createApp } from '../../src/core/bootstrap/app';
import { probeModule } from '../support/probe-module';
import { startTestServer, type TestServer } from '../support/test-server';

type OpenApiDoc = { paths: Record<string, Record<string, { 'x-permissions'?: string[] }>> };

/** Every (method, path) the Koa app actually routes, read from the mounted routers. */
function mountedRoutes(app: Koa): string[] {
  const routers = app.middleware
    .map((mw) => (mw as unknown as { router?: Router }).router)
    .filter((r): r is Router => Boolean(r));
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      layer.methods
        .filter((m) => m !== 'HEAD')
        .map((m) => `${m.toLowerCase()} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`),
    ),
  );
}

describe('OpenAPI document', () => {
  let server: TestServer;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    server = await startTestServer({}, { modules: [probeModule] });
    doc = (await request(server.url).get('/api/v1/openapi.json')).body;
  });
  afterAll(() => server.stop());

  test('when fetched, then it is a valid OpenAPI 3 document', async () => {
    const copy = JSON.parse(JSON.stringify(doc));
    await expect(SwaggerParser.validate(copy)).resolves.toBeDefined();
    expect((copy as { openapi: string }).openapi).toMatch(/^3\./);
  });

  test('when compared with the mounted routers, then every mounted route is documented', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)),
    );
    const mounted = mountedRoutes(createApp(server.container));
    expect(mounted.length).toBeGreaterThan(5);
    expect(mounted.filter((route) => !documented.has(route))).toEqual([]);
  });

  test('when a route declares a body schema, then the document carries it and the error envelope', () => {
    const echo = doc.paths['/api/v1/_probe/echo']?.post as unknown as {
      requestBody: { content: Record<string, { schema: { additionalProperties?: boolean } }> };
      responses: Record<string, unknown>;
    };
    expect(echo.requestBody.content['application/json']?.schema.additionalProperties).toBe(false);
    expect(Object.keys(echo.responses)).toEqual(expect.arrayContaining(['201', '400', '429', '500']));
  });

  test('when Swagger UI is requested, then the page and its local assets are served', async () => {
    const page = await request(server.url).get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).not.toMatch(/https?:\/\/(?!127)/); // no CDN
    const bundle = await request(server.url).get('/api/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toContain('javascript');
    const init = await request(server.url).get('/api/docs/init.js');
    expect(init.text).toContain('/api/v1/openapi.json');
    expect((await request(server.url).get('/api/docs/..%2Fpackage.json')).status).toBe(400);
  });
});
