import Koa from 'koa';
import request from 'supertest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
  type AppError,
} from '../errors/app-error';
import { createLogger } from '../logger';
import { errorHandler } from './error-handler';
import { requestId } from './request-id';

function appThrowing(error: unknown) {
  const app = new Koa();
  const emitted: unknown[] = [];
  app.on('error', (err) => emitted.push(err));
  app.use(requestId(createLogger({ env: 'test', log: { level: 'silent' } })));
  app.use(errorHandler());
  app.use(() => {
    throw error;
  });
  return { app, emitted };
}

describe('error handler', () => {
  const cases: [AppError, number, string][] = [
    [new ValidationError('bad', [{ path: 'body.x', message: 'Required' }]), 400, 'VALIDATION_ERROR'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED'],
    [new ForbiddenError('no', 'WORKSPACE_NOT_ACTIVE'), 403, 'WORKSPACE_NOT_ACTIVE'],
    [new NotFoundError(), 404, 'NOT_FOUND'],
    [new ConflictError(), 409, 'CONFLICT'],
    [new PayloadTooLargeError(), 413, 'PAYLOAD_TOO_LARGE'],
    [new UnprocessableError('last admin', 'LAST_ADMIN'), 422, 'LAST_ADMIN'],
    [new RateLimitError('slow down', 30), 429, 'RATE_LIMITED'],
    [new ServiceUnavailableError(), 503, 'SERVICE_UNAVAILABLE'],
  ];

  test.each(cases)('when %p is thrown, then it answers %i with its code', async (error, status, code) => {
    const { app } = appThrowing(error);
    const res = await request(app.callback()).get('/');
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual({
      code,
      message: error.message,
      details: error.details ?? [],
      requestId: res.headers['x-request-id'],
    });
  });

  test('when a rate limit error carries a delay, then Retry-After is set', async () => {
    const res = await request(appThrowing(new RateLimitError('slow down', 30)).app.callback()).get('/');
    expect(res.headers['retry-after']).toBe('30');
  });

  test('when the database connection fails, then 503 with no driver detail, and the error is reported', async () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      name: 'SequelizeConnectionRefusedError',
    });
    const { app, emitted } = appThrowing(err);
    const res = await request(app.callback()).get('/');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toContain('10.0.0.5');
    expect(emitted).toEqual([err]);
  });

  test.each([
    ['the server terminated it (57P01)', { name: 'SequelizeDatabaseError', original: { code: '57P01' } }],
    ['a connection exception (08006)', { name: 'SequelizeDatabaseError', parent: { code: '08006' } }],
    ['the driver lost the socket', { name: 'SequelizeDatabaseError', message: 'Connection terminated unexpectedly' }],
  ])('when the connection is lost mid-query (%s), then 503, not 500', async (_case, fields) => {
    const err = Object.assign(new Error('terminating connection due to administrator command'), fields);
    const res = await request(appThrowing(err).app.callback()).get('/');
    expect([res.status, res.body.error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
  });

  describe('lost connections the outside probe met as 500s', () => {
    const terminated = () =>
      Object.assign(new Error('terminating connection due to administrator command'), {
        name: 'error',
        code: '57P01',
        severity: 'FATAL',
      });
    const notQueryable = () => new Error('Client has encountered a connection error and is not queryable');
    const sequelizeWrapped = (parent: Error) =>
      Object.assign(new Error(parent.message), { name: 'SequelizeDatabaseError', parent, original: parent });
    /** umzug's MigrationError: its own name and message, the failing query's error as `cause`. */
    const migrationFailed = (cause: Error) =>
      Object.assign(new Error(`Migration 0001-init (up) failed: Original error: ${cause.message}`, { cause }), {
        name: 'MigrationError',
        jse_cause: cause,
      });

    test.each([
      [
        'a tenant migration failed on a terminated connection (MigrationError > 57P01)',
        () => migrationFailed(sequelizeWrapped(terminated())),
      ],
      ['COMMIT on a client that had lost its connection (Sequelize-wrapped)', () => sequelizeWrapped(notQueryable())],
      ['a query on a client that had lost its connection (pg, unwrapped)', notQueryable],
      ['the server terminated a connection Sequelize was still setting up (pg, unwrapped)', terminated],
    ])('when %s, then 503 SERVICE_UNAVAILABLE without the cause', async (_case, make) => {
      const { app, emitted } = appThrowing(make());
      const res = await request(app.callback()).get('/');
      expect([res.status, res.body.error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      expect(JSON.stringify(res.body)).not.toMatch(/terminat|queryable|Migration/);
      expect(emitted).toHaveLength(1);
    });
  });

  test('when a database error is not about the connection (42P01), then it stays a generic 500', async () => {
    const err = Object.assign(new Error('relation "x" does not exist'), {
      name: 'SequelizeDatabaseError',
      original: { code: '42P01' },
    });
    expect((await request(appThrowing(err).app.callback()).get('/')).status).toBe(500);
  });

  test('when an unanticipated constraint violation escapes, then 409 CONFLICT without the constraint or SQL', async () => {
    const err = Object.assign(new Error('duplicate key value violates unique constraint "users_email_live_key"'), {
      name: 'SequelizeUniqueConstraintError',
      sql: "INSERT INTO users VALUES ('$2b$12$secret')",
    });
    const res = await request(appThrowing(err).app.callback()).get('/');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(JSON.stringify(res.body)).not.toMatch(/users_email|INSERT|\$2b\$/);
  });

  test('when an unknown error is thrown, then 500 with a generic message and it is reported, not sent', async () => {
    const err = new Error('password=hunter2 in SELECT');
    const { app, emitted } = appThrowing(err);
    const res = await request(app.callback()).get('/');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toBe('An unexpected error occurred');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(emitted).toEqual([err]);
  });

  test('when a 4xx is answered, then nothing is reported as a server error', async () => {
    const { app, emitted } = appThrowing(new NotFoundError());
    await request(app.callback()).get('/');
    expect(emitted).toEqual([]);
  });
});
