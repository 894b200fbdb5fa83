import type { Middleware } from 'koa';
import type { Logger } from '../logger';
import '../http/context';

/** One line per request: never headers or bodies, so no credential can reach the log. */
export function requestLogger(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: ctx.method,
        route: (ctx as { _matchedRoute?: string })._matchedRoute ?? null,
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      if (ctx.status >= 500) ctx.log.error(line, 'request failed');
      else if (logger.isLevelEnabled('info')) ctx.log.info(line, 'request completed');
    }
  };
}
