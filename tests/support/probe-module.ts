import type { AppModule } from '../../src/core/bootstrap/module';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { paginationQuery } from '../../src/core/http/envelope';
import { tenantQuery } from '../../src/core/infrastructure/database/tenant-query';
import { UnitOfWork } from '../../src/core/infrastructure/database/unit-of-work';
import { defineRoute } from '../../src/core/http/route';
import { z } from '../../src/core/http/zod';

/** Test-only routes that exercise the pipeline: validation, an unexpected error, a slow request. */
export const probeModule: AppModule = {
  name: 'probe',
  routes: () => [
    defineRoute({
      method: 'post',
      path: '/_probe/echo',
      tags: ['Probe'],
      summary: 'Echoes a validated body',
      auth: 'public',
      request: { body: z.strictObject({ name: z.string().min(1).max(50), count: z.number().int().optional() }) },
      response: { status: 201, description: 'Echo', schema: z.object({ name: z.string() }) },
      // The extra field proves response schemas strip what they do not declare.
      handler: async ({ body }) => ({ name: body.name, passwordHash: 'must-not-leak' }) as { name: string },
    }),
    defineRoute({
      method: 'get',
      path: '/_probe/boom',
      tags: ['Probe'],
      summary: 'Throws an unexpected error',
      auth: 'public',
      response: { status: 200, description: 'Never' },
      handler: async () => {
        throw new Error('relation "secret_table" does not exist at SELECT * FROM users');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/_probe/slow',
      tags: ['Probe'],
      summary: 'Answers after a delay',
      auth: 'public',
      request: { query: z.strictObject({ ms: z.coerce.number().int().min(0).max(5000) }) },
      response: { status: 200, description: 'Done', schema: z.object({ waited: z.number() }) },
      handler: async ({ query }) => {
        // unref: a request cut by a shutdown test must not keep the test process alive.
        await new Promise((resolve) => setTimeout(resolve, query.ms).unref());
        return { waited: query.ms };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/_probe/items',
      tags: ['Probe'],
      summary: 'A paginated list of 45 numbered items',
      auth: 'public',
      request: { query: paginationQuery },
      response: { status: 200, description: 'Page', paginated: true, schema: z.object({ n: z.number() }) },
      handler: async ({ query }) => {
        const all = Array.from({ length: 45 }, (_, i) => ({ n: i + 1, secret: 'strip-me' }));
        const items = all.slice((query.page - 1) * query.limit, query.page * query.limit);
        return { items, meta: { page: query.page, limit: query.limit, total: all.length } };
      },
    }),
  ],
};

/** A tenant-scoped route (needs the app's auth and workspace modules) that writes, then fails. */
export const tenantProbeModule: AppModule = {
  name: 'tenant-probe',
  routes: (container) => [
    defineRoute({
      method: 'post',
      path: '/_probe/tenant-write-then-fail',
      tags: ['Probe'],
      summary: 'Writes in the active tenant, then fails',
      auth: 'workspace',
      permission: null,
      response: { status: 200, description: 'Never' },
      handler: async () => {
        await container
          .get(TOKENS.sequelize)
          .query("INSERT INTO roles (name) VALUES ('half-written')", { transaction: UnitOfWork.current() });
        throw new Error('failure after a tenant write');
      },
    }),
    // The same tenant write from a GET: refused by PostgreSQL unless the route says readOnly: false.
    ...([true, false] as const).map((readOnly) =>
      defineRoute({
        method: 'get',
        path: `/_probe/tenant-get-that-writes/${readOnly ? 'read-only' : 'declared'}`,
        tags: ['Probe'],
        summary: 'Writes a role from a GET',
        auth: 'workspace',
        permission: null,
        readOnly,
        request: { query: z.strictObject({ name: z.string().max(50) }) },
        response: { status: 200, description: 'Written', schema: z.object({ searchPath: z.string() }) },
        handler: async ({ query }) => {
          const sequelize = container.get(TOKENS.sequelize);
          await tenantQuery(sequelize, 'INSERT INTO roles (name) VALUES (:name) RETURNING id', { name: query.name });
          const [row] = await tenantQuery<{ search_path: string }>(sequelize, 'SHOW search_path', {});
          return { searchPath: row!.search_path };
        },
      }),
    ),
  ],
};

/** A write that then waits inside its transaction, so a test can kill the connection mid-request. */
export const faultProbeModule: AppModule = {
  name: 'fault-probe',
  routes: (container) => [
    defineRoute({
      method: 'post',
      path: '/_probe/write-then-wait',
      tags: ['Probe'],
      summary: 'Writes an audit row marked with the given id, then sleeps in the same transaction',
      auth: 'public',
      request: { body: z.strictObject({ marker: z.uuid(), seconds: z.number().min(0).max(10) }) },
      response: { status: 200, description: 'Done', schema: z.object({ ok: z.boolean() }) },
      handler: async ({ body }) => {
        const sequelize = container.get(TOKENS.sequelize);
        await container.get(TOKENS.transactions).run(async () => {
          const transaction = UnitOfWork.current();
          await sequelize.query("INSERT INTO public.audit_events (action, target_id) VALUES ('probe.fault', :marker)", {
            replacements: { marker: body.marker },
            transaction,
          });
          await sequelize.query('SELECT pg_sleep(:seconds)', { replacements: { seconds: body.seconds }, transaction });
        });
        return { ok: true };
      },
    }),
  ],
};
