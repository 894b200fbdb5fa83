import type { Middleware } from 'koa';
import type { Logger } from '../logger';
import '../http/context';

/** Told of every request (metrics): one clock and one try/finally serve both. */
export interface RequestObserver {
  requestStarted(): void;
  requestFinished(method: string, route: string, status: number, seconds: number): void;
}

const NONE: RequestObserver = { requestStarted: () => undefined, requestFinished: () => undefined };

/** One line per request: never headers or bodies, so no credential can reach the log. */
export function requestLogger(logger: Logger, observer: RequestObserver = NONE): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    observer.requestStarted();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute;
      observer.requestFinished(ctx.method, route ?? 'unmatched', ctx.status, seconds);
      if (ctx.status >= 500 || logger.isLevelEnabled('info')) {
        const line = {
          method: ctx.method,
          route: route ?? null,
          path: ctx.path,
          status: ctx.status,
          durationMs: Math.round(seconds * 10_000) / 10,
        };
        if (ctx.status >= 500) ctx.log.error(line, 'request failed');
        else ctx.log.info(line, 'request completed');
      }
    }
  };
}
