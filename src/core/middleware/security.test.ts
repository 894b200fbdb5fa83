import http from 'node:http';
import helmet from 'helmet';
import Koa from 'koa';
import request from 'supertest';
import { helmetOptions, securityHeaders } from './security';

function app(isProduction: boolean) {
  const koa = new Koa();
  koa.use(securityHeaders({ isProduction }));
  koa.use((ctx) => {
    ctx.body = 'ok';
  });
  return koa.callback();
}

/** helmet itself, run on the response as it would be on every request. */
function helmetServer(isProduction: boolean) {
  const middleware = helmet(helmetOptions({ isProduction }));
  return http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
}

const HEADERS_OF_EVERY_RESPONSE = ['date', 'connection', 'keep-alive', 'content-length', 'content-type'];

function securityHeadersOf(res: { headers: Record<string, unknown> }) {
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => !HEADERS_OF_EVERY_RESPONSE.includes(name)));
}

describe('security headers', () => {
  test('when in production, then HSTS is sent', async () => {
    const res = await request(app(true)).get('/');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  test('when not in production, then HSTS is not sent (plain-HTTP development stays usable)', async () => {
    const res = await request(app(false)).get('/');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  test.each([true, false])(
    'when precomputed once (production: %p), then every response carries exactly what helmet sets per request',
    async (isProduction) => {
      const expected = securityHeadersOf(await request(helmetServer(isProduction)).get('/'));
      const first = securityHeadersOf(await request(app(isProduction)).get('/'));
      const second = securityHeadersOf(await request(app(isProduction)).get('/other'));

      expect(Object.keys(expected).length).toBeGreaterThan(10);
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
    },
  );
});
