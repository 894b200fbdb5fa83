import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../errors/app-error';
import type { Metrics } from '../infrastructure/metrics/metrics';
import { defineRoute, type RouteSpec } from './route';

/** Constant-time comparison of the bearer token with METRICS_TOKEN. */
function requireToken(token: string): Middleware {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (ctx, next) => {
    const given = Buffer.from(ctx.get('Authorization'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedError('A valid metrics token is required');
    }
    await next();
  };
}

/** GET /metrics on the API port, only when METRICS_TOKEN is set (METRICS_PORT serves it apart). */
export function metricsRoutes(metrics: Metrics, token: string | null): RouteSpec[] {
  if (!token) return [];
  return [
    defineRoute({
      method: 'get',
      path: '/metrics',
      absolute: true,
      tags: ['Health'],
      summary: 'Prometheus metrics (Authorization: Bearer <METRICS_TOKEN>)',
      auth: 'public',
      middleware: [requireToken(token)],
      response: {
        status: 200,
        description: 'Prometheus text format',
        raw: { contentType: 'text/plain; version=0.0.4' },
      },
      errors: [401],
      handler: async (_input, ctx) => {
        ctx.type = metrics.contentType;
        return metrics.render();
      },
    }),
  ];
}
