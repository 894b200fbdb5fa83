import type { Context, Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimitError } from '../errors/app-error';
import {
  CoalescingWindowCounter,
  MemoryWindowCounter,
  RedisWindowCounter,
} from '../infrastructure/cache/window-counter';
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

/**
 * At most `max` requests per client in each fixed window of `windowMs` (aligned on the clock, so
 * every instance shares the same windows), counted in Redis when configured, so every instance
 * shares one budget; otherwise in process. Concurrent requests of one client share a round
 * trip (CoalescingWindowCounter). A refused request answers 429 in the envelope with Retry-After;
 * every counted one carries the RateLimit-Limit, -Remaining and -Reset (seconds) fields.
 */
export function rateLimit(redis: Redis | null, options: RateLimitOptions): Middleware {
  const counter = new CoalescingWindowCounter(redis ? new RedisWindowCounter(redis) : new MemoryWindowCounter());
  const id = options.id ?? ((ctx: Context) => ctx.ip);
  const limit = String(options.max);
  return async (ctx, next): Promise<unknown> => {
    if (options.skip?.(ctx)) return next();
    const key = id(ctx);
    if (key === false) return next();
    let counted;
    try {
      counted = await counter.add(`${options.namespace}:${key}`, 1, options.windowMs);
    } catch (err) {
      // Fail open: when the store itself fails (Redis down), serve unlimited rather than fail every request.
      ctx.log.warn({ err: { message: (err as Error).message } }, 'rate limit store unavailable, request not limited');
      return next();
    }
    const resetSeconds = Math.max(1, Math.ceil((counted.windowStart + options.windowMs - Date.now()) / 1000));
    ctx.set('RateLimit-Limit', limit);
    ctx.set('RateLimit-Remaining', String(Math.max(0, options.max - counted.count)));
    ctx.set('RateLimit-Reset', String(resetSeconds));
    if (counted.count > options.max) throw new RateLimitError('Too many requests, retry later', resetSeconds);
    return next();
  };
}
