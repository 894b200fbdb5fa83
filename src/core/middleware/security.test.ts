import Koa from 'koa';
import request from 'supertest';
import { securityHeaders } from './security';

function app(isProduction: boolean) {
  const koa = new Koa();
  koa.use(securityHeaders({ isProduction }));
  koa.use((ctx) => {
    ctx.body = 'ok';
  });
  return koa.callback();
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
});
