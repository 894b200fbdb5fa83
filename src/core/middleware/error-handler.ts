import type { Context, Middleware } from 'koa';
import {
  AppError,
  type ErrorDetail,
  type ErrorKind,
  RateLimitError,
  ServiceUnavailableError,
} from '../errors/app-error';
import '../http/context';

/** The one table from error kinds to HTTP statuses. */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** Errors thrown by Koa and its middlewares (http-errors) that are safe to describe. */
const HTTP_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'The request could not be understood' },
  404: { code: 'NOT_FOUND', message: 'Not found' },
  405: { code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content type' },
  429: { code: 'RATE_LIMITED', message: 'Too many requests, retry later' },
};

interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details: ErrorDetail[];
  headers?: Record<string, string>;
}

// Connection-level database failures are the client's retry case, not a bug.
const UNAVAILABLE_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotReachableError',
  'SequelizeConnectionTimedOutError',
]);

/**
 * The connection went away under a query: SQLSTATE 08000/08003/08006 (connection exception), 57P01-03
 * (the server terminated it: an operator, a failover, a restart), or the driver's own
 * "connection terminated" without a SQLSTATE. A retry on a fresh pooled connection can succeed.
 */
// Not all of class 08: 08P01 (protocol violation) is a bug, not a lost connection.
const LOST_CONNECTION_CODES = new Set(['08000', '08003', '08006', '57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE']);

// pg's messages for a socket that is gone, which carry no SQLSTATE: it ended under a query, or a
// query (often the COMMIT) went to a client that had already lost it.
const LOST_CONNECTION_MESSAGES =
  /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;

interface ErrorChain {
  name?: string;
  message?: string;
  code?: unknown;
  original?: unknown;
  parent?: unknown;
  cause?: unknown;
}

/**
 * Whether the error, or one it wraps, is a lost connection. The wrappers vary: Sequelize's
 * (`original`/`parent`), umzug's MigrationError around a tenant migration's query (`cause`), or
 * none at all when pg fails while Sequelize is still setting a connection up.
 */
function connectionLost(err: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0) {
    const e = pending.shift() as ErrorChain | null | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.code === 'string' && LOST_CONNECTION_CODES.has(e.code)) return true;
    if (LOST_CONNECTION_MESSAGES.test(e.message ?? '')) return true;
    if (e.name === 'SequelizeDatabaseError' && /connection (terminated|is closed)/i.test(e.message ?? '')) return true;
    pending.push(e.original, e.parent, e.cause);
  }
  return false;
}

// A constraint the code did not anticipate (a race, a reference) is the client's conflict, not a crash.
const CONFLICT_NAMES = new Set(['SequelizeUniqueConstraintError', 'SequelizeForeignKeyConstraintError']);

function describe(err: unknown): ErrorBody | null {
  if (err instanceof AppError) {
    const retryAfter =
      err instanceof RateLimitError || err instanceof ServiceUnavailableError ? err.retryAfterSeconds : undefined;
    const headers = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : undefined;
    return {
      status: STATUS_BY_KIND[err.kind],
      code: err.code,
      message: err.message,
      details: err.details ?? [],
      headers,
    };
  }
  const e = err as ErrorChain & {
    status?: number;
    type?: string;
    headers?: Record<string, string>;
  };
  if (e && (UNAVAILABLE_NAMES.has(e.name ?? '') || connectionLost(e))) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable, retry later',
      details: [],
    };
  }
  if (e && CONFLICT_NAMES.has(e.name ?? '')) {
    return {
      status: 409,
      code: 'CONFLICT',
      message: 'The request conflicts with the current state; retry',
      details: [],
    };
  }
  const known = typeof e?.status === 'number' ? HTTP_ERRORS[e.status] : undefined;
  if (!known || e.status === undefined) return null;
  // co-body rethrows JSON.parse's SyntaxError (and bourne's prototype-poisoning error) with status 400.
  const malformed = e.status === 400 && (e.name === 'SyntaxError' || e.type === 'entity.parse.failed');
  return {
    status: e.status,
    code: malformed ? 'MALFORMED_JSON' : known.code,
    message: malformed ? 'The request body is not valid JSON' : known.message,
    details: [],
    headers: e.headers,
  };
}

function send(ctx: Context, body: ErrorBody): void {
  ctx.status = body.status;
  if (body.headers) ctx.set(body.headers);
  ctx.body = {
    error: { code: body.code, message: body.message, details: body.details, requestId: ctx.state.requestId },
  };
}

/**
 * First middleware of the app: turns every error into the contract's envelope. Unknown errors
 * become a generic 500 (logged with their stack through the app's 'error' event, never sent).
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        send(ctx, {
          status: 404,
          code: 'ROUTE_NOT_FOUND',
          message: 'No route matches this method and path',
          details: [],
        });
      }
    } catch (err) {
      const known = describe(err);
      if (known) {
        send(ctx, known);
        if (known.status >= 500) ctx.app.emit('error', err, ctx);
        return;
      }
      send(ctx, { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', details: [] });
      ctx.app.emit('error', err, ctx);
    }
  };
}
