import type { Context, Middleware } from 'koa';
import ratelimit from 'koa-ratelimit';
import type { Redis } from 'ioredis';
import '../http/context';

export interface RateLimitOptions {
  windowMs: number;
  max: number;
  /** Keys requests; defaults to the client IP. */
  id?: (ctx: Context) => string | false;
  /** Separates this limiter's counters from others sharing the store. */
  namespace: string;
  /** Requests that are never counted (health probes). */
  skip?: (ctx: Context) => boolean;
}

const RESET = 'RateLimit-Reset';

/** koa-ratelimit reports the reset as epoch seconds; the RateLimit header fields use seconds from now. */
function secondsUntil(epochSeconds: string | number): string {
  return String(Math.max(0, Math.ceil(Number(epochSeconds) - Date.now() / 1000)));
}

/**
 * koa-ratelimit on Redis when configured, so every instance shares one budget; otherwise
 * an in-process Map. Limited requests throw 429, which the error handler answers in the envelope.
 */
export function rateLimit(redis: Redis | null, options: RateLimitOptions): Middleware {
  const store = redis ? { driver: 'redis' as const, db: redis } : { driver: 'memory' as const, db: new Map() };
  const limiter = ratelimit({
    ...store,
    namespace: options.namespace,
    duration: options.windowMs,
    max: options.max,
    id: options.id ?? ((ctx) => ctx.ip),
    throw: true,
    errorMessage: 'Too many requests, retry later',
    headers: { remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset', total: 'RateLimit-Limit' },
  });

  // Fail open: when the store itself fails (Redis down), serve unlimited rather than fail every request.
  return async (ctx, next): Promise<unknown> => {
    // Decided here rather than by koa-ratelimit's whitelist, which awaits twice before asking.
    if (options.skip?.(ctx)) return next();
    let passed = false;
    try {
      await limiter(ctx, async () => {
        passed = true;
        const reset = ctx.response.get(RESET);
        if (reset) ctx.set(RESET, secondsUntil(reset));
        await next();
      });
    } catch (err) {
      const headers = (err as { headers?: Record<string, string> }).headers;
      if (headers?.[RESET]) headers[RESET] = secondsUntil(headers[RESET]);
      if (passed || (err as { status?: number }).status !== undefined) throw err;
      ctx.log.warn({ err: { message: (err as Error).message } }, 'rate limit store unavailable, request not limited');
      await next();
    }
  };
}
