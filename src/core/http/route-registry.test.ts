import Koa from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import request from 'supertest';
import { ForbiddenError, UnauthorizedError } from '../errors/app-error';
import { errorHandler } from '../middleware/error-handler';
import { requestId } from '../middleware/request-id';
import { createLogger } from '../logger';
import { defineRoute } from './route';
import { RouteRegistry, type Guards } from './route-registry';
import { z } from './zod';

const guarded = defineRoute({
  method: 'delete',
  path: '/users/:id',
  tags: ['Users'],
  summary: 'Delete a user',
  auth: 'user',
  permission: 'users.delete',
  request: { params: z.strictObject({ id: z.uuid() }) },
  response: { status: 204, description: 'Deleted' },
  errors: [403, 404],
  handler: async () => undefined,
});

function registry() {
  return new RouteRegistry('/api/v1', { title: 't', version: 'v1', description: 'd' }).add(guarded);
}

function appWith(guards: Guards) {
  const app = new Koa();
  app.use(requestId(createLogger({ env: 'test', log: { level: 'silent' } })));
  app.use(errorHandler());
  app.use(registry().router(guards).routes());
  return app;
}

const ID = '3f1c7f5e-8a2b-4c1d-9e0f-1a2b3c4d5e6f';

describe('RouteRegistry', () => {
  test('when a route needs an auth mode nobody guards, then mounting fails loudly instead of exposing it', () => {
    expect(() => registry().router({ auth: {} })).toThrow(/No guard is configured for auth mode "user"/);
  });

  test('when an authenticated route declares no permission (not even null), then mounting fails', () => {
    const undeclared = { ...guarded, permission: undefined };
    const reg = new RouteRegistry('/api/v1', { title: 't', version: 'v1', description: 'd' }).add(undeclared);
    expect(() => reg.router({ auth: { user: () => [] }, permission: () => async () => undefined })).toThrow(
      /must declare a permission/,
    );
  });

  test('when a route needs a permission and no permission guard exists, then mounting fails', () => {
    expect(() => registry().router({ auth: { user: () => [async (_ctx, next) => next()] } })).toThrow(
      /No permission guard/,
    );
  });

  test('when guards are configured, then they run before validation in order: auth, then permission', async () => {
    const seen: string[] = [];
    const app = appWith({
      auth: {
        user: () => [
          async (ctx, next) => {
            seen.push('auth');
            if (!ctx.get('Authorization')) throw new UnauthorizedError();
            await next();
          },
        ],
      },
      permission: (code) => async (ctx, next) => {
        seen.push(`permission:${code}`);
        if (ctx.get('Authorization') !== 'Bearer admin') throw new ForbiddenError();
        await next();
      },
    });

    expect((await request(app.callback()).delete('/api/v1/users/not-a-uuid')).status).toBe(401);
    expect((await request(app.callback()).delete(`/api/v1/users/${ID}`).set('Authorization', 'Bearer x')).status).toBe(
      403,
    );
    const ok = await request(app.callback()).delete(`/api/v1/users/${ID}`).set('Authorization', 'Bearer admin');
    expect(ok.status).toBe(204);
    const badParam = await request(app.callback())
      .delete('/api/v1/users/not-a-uuid')
      .set('Authorization', 'Bearer admin');
    expect(badParam.status).toBe(400);
    expect(badParam.body.error.details[0].path).toBe('params.id');
    expect(seen.slice(0, 3)).toEqual(['auth', 'auth', 'permission:users.delete']);
  });

  test('when documented, then the route shows its security, permission and error responses', () => {
    const doc = registry().openApiDocument();
    const op = doc.paths?.['/api/v1/users/{id}']?.delete as Record<string, unknown> & {
      responses: Record<string, unknown>;
    };
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op['x-permissions']).toEqual(['users.delete']);
    expect(op.description).toContain('Requires permission `users.delete`');
    expect(Object.keys(op.responses).sort()).toEqual(['204', '400', '401', '403', '404', '429', '500']);
  });

  test('when a workspace route is documented, then it declares 503 with Retry-After (TENANT_MOVING during a move)', () => {
    const reg = new RouteRegistry('/api/v1', { title: 't', version: '1', description: 'd' });
    reg.add(
      defineRoute({
        method: 'post',
        path: '/workspaces/:workspaceId/things',
        tags: ['Things'],
        summary: 'Make a thing',
        auth: 'workspace',
        permission: 'things.manage',
        request: { params: z.strictObject({ workspaceId: z.uuid() }) },
        response: { status: 204, description: 'Made' },
        handler: async () => undefined,
      }),
    );
    const op = reg.openApiDocument().paths?.['/api/v1/workspaces/{workspaceId}/things']?.post as {
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(Object.keys(op.responses['503']?.headers ?? {})).toContain('Retry-After');
    const user = registry().openApiDocument().paths?.['/api/v1/users/{id}']?.delete as { responses: object };
    expect(Object.keys(user.responses)).not.toContain('503');
  });

  describe('input a route does not declare', () => {
    let ran = 0;
    const bare = defineRoute({
      method: 'delete',
      path: '/things/:id',
      tags: ['Things'],
      summary: 'Delete a thing',
      auth: 'public',
      request: { params: z.strictObject({ id: z.string() }) },
      response: { status: 204, description: 'Deleted' },
      handler: async () => {
        ran += 1;
      },
    });
    const app = new Koa();
    app.use(requestId(createLogger({ env: 'test', log: { level: 'silent' } })));
    app.use(errorHandler());
    app.use(koaBody({ json: true, parsedMethods: [HttpMethodEnum.DELETE] }));
    app.use(
      new RouteRegistry('/api/v1', { title: 't', version: 'v1', description: 'd' })
        .add(bare)
        .router({ auth: {} })
        .routes(),
    );
    const del = () => request(app.callback()).delete('/api/v1/things/1').set('Content-Type', 'application/json');

    test.each([
      ['an empty array', '[]'],
      ['an object with a key', '{"a":1}'],
      ['null', 'null'],
      ['a number', '7'],
    ])('when the body is %s, then 400 and the handler never runs', async (_case, body) => {
      ran = 0;
      const res = await del().send(body);
      expect([res.status, ran]).toEqual([400, 0]);
    });

    test('when the query has a parameter, then 400 and the handler never runs', async () => {
      ran = 0;
      const res = await request(app.callback()).delete('/api/v1/things/1?force=true');
      expect([res.status, res.body.error.details[0].path, ran]).toEqual([400, 'query', 0]);
    });

    test('when nothing or an empty object is sent, then the handler runs', async () => {
      ran = 0;
      expect((await request(app.callback()).delete('/api/v1/things/1')).status).toBe(204);
      expect((await del().send('{}')).status).toBe(204);
      expect(ran).toBe(2);
    });
  });

  describe('scopes', () => {
    const scoped = defineRoute({
      method: 'get',
      path: '/things',
      tags: ['Things'],
      summary: 'List things',
      auth: 'workspace',
      permission: 'things.read',
      scopes: { platform: { auth: 'user', permission: 'platform.things', description: 'every thing' } },
      request: { query: z.strictObject({ scope: z.enum(['workspace', 'platform']).default('workspace') }) },
      response: { status: 200, description: 'Things', schema: z.object({ scope: z.string() }) },
      handler: async ({ query }) => ({ scope: query.scope }),
    });
    const seen: string[] = [];
    const mark = (name: string) => async (_ctx: unknown, next: () => Promise<unknown>) => {
      seen.push(name);
      await next();
    };
    const app = new Koa();
    app.use(requestId(createLogger({ env: 'test', log: { level: 'silent' } })));
    app.use(errorHandler());
    app.use(
      new RouteRegistry('/api/v1', { title: 't', version: 'v1', description: 'd' })
        .add(scoped)
        .router({
          auth: { user: () => [mark('user')], workspace: () => [mark('user'), mark('tenant')] },
          permission: (code) => mark(code),
        })
        .routes(),
    );
    beforeEach(() => seen.splice(0));

    test('when no scope is asked for, then the route’s own guards run', async () => {
      const res = await request(app.callback()).get('/api/v1/things');
      expect([res.status, res.body.data, seen]).toEqual([
        200,
        { scope: 'workspace' },
        ['user', 'tenant', 'things.read'],
      ]);
    });

    test('when ?scope=platform is asked for, then only that scope’s guards run', async () => {
      const res = await request(app.callback()).get('/api/v1/things?scope=platform');
      expect([res.status, res.body.data, seen]).toEqual([200, { scope: 'platform' }, ['user', 'platform.things']]);
    });

    test('when an unknown scope is asked for, then the default guards run and validation refuses it', async () => {
      const res = await request(app.callback()).get('/api/v1/things?scope=galaxy');
      expect([res.status, seen]).toEqual([400, ['user', 'tenant', 'things.read']]);
    });

    test('when documented, then both permissions and the scope are described', () => {
      const doc = new RouteRegistry('/api/v1', { title: 't', version: 'v1', description: 'd' })
        .add(scoped)
        .openApiDocument();
      const op = doc.paths?.['/api/v1/things']?.get as unknown as Record<string, unknown>;
      expect(op['x-permissions']).toEqual(['things.read', 'platform.things']);
      expect(op.description).toContain('With `?scope=platform`: every thing');
    });
  });
});
