import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@koa/cors';
import helmet from 'helmet';
import type { Middleware } from 'koa';
import type { Config } from '../config/config';

/**
 * Helmet tuned for a JSON API that also serves Swagger UI from its own origin:
 * scripts only from self, inline styles allowed because Swagger UI sets them.
 */
export function helmetOptions(config: Pick<Config, 'isProduction'>): Parameters<typeof helmet>[0] {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  };
}

/**
 * The headers helmet sets with these options, recorded once. None of them depends on the request
 * (no CSP nonce), so running helmet's twelve middlewares again on every response only repeated
 * the same work: a fifth of the CPU of a health probe.
 */
export function helmetHeaders(config: Pick<Config, 'isProduction'>): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string | number) => headers.push([name, String(value)]),
    // X-Powered-By: Node's http server never sets it.
    removeHeader: () => undefined,
  };
  const outcome: { done: boolean; error?: unknown } = { done: false };
  helmet(helmetOptions(config))({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    outcome.done = true;
    outcome.error = err;
  });
  if (!outcome.done || outcome.error !== undefined) {
    throw new Error('helmet did not finish synchronously: its headers cannot be precomputed', { cause: outcome.error });
  }
  return headers;
}

export function securityHeaders(config: Pick<Config, 'isProduction'>): Middleware {
  const headers = helmetHeaders(config);
  return (ctx, next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    return next();
  };
}

/** CORS answers only the listed origins; credentials are allowed for them alone. */
export function corsPolicy(config: Pick<Config, 'cors'>): Middleware {
  const allowed = new Set(config.cors.origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'X-CSRF-Token'],
    exposeHeaders: ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
    maxAge: 600,
  });
}
