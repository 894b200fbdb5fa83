import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { RateLimitError } from '../../../core/errors/app-error';
import '../../../core/http/context';
import type { Cache } from '../../../core/infrastructure/cache/cache';

/**
 * The stricter limit of credential routes: N attempts per window per client IP and, separately,
 * per target email (so one address cannot be hammered from many IPs). Counts live in the shared
 * cache; if it fails, the request is let through and the failure logged.
 */
export function authRateLimit(cache: Cache, name: string, options: { windowMs: number; max: number }): Middleware {
  const windowSeconds = Math.ceil(options.windowMs / 1000);
  return async (ctx, next) => {
    const body = ctx.request.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : null;
    const keys = [`rl:auth:${name}:ip:${ctx.ip}`];
    if (email) keys.push(`rl:auth:${name}:email:${createHash('sha256').update(email).digest('hex')}`);
    let counts: number[];
    try {
      counts = await Promise.all(keys.map((key) => cache.increment(key, windowSeconds)));
    } catch (err) {
      ctx.log.warn({ err: { message: (err as Error).message } }, 'auth rate limit store unavailable');
      await next();
      return;
    }
    if (counts.some((count) => count > options.max)) {
      throw new RateLimitError('Too many attempts, retry later', windowSeconds);
    }
    await next();
  };
}
