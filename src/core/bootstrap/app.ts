import Koa from 'koa';
import type { ContainerInstance } from 'typedi';
import { errorHandler } from '../middleware/error-handler';
import { rateLimit } from '../middleware/rate-limit';
import { requestId } from '../middleware/request-id';
import { requestLogger } from '../middleware/request-logger';
import { corsPolicy, securityHeaders } from '../middleware/security';
import { isHealthProbe } from '../http/health.routes';
import { jsonBody } from '../http/json-body';
import { TOKENS } from './container';

/**
 * Builds the Koa application from a complete container, without listening. The error handler
 * sits right after the request id and the logger and the response headers (they never throw),
 * so every later failure, including body parsing and rate limiting, answers in the envelope.
 */
export function createApp(container: ContainerInstance): Koa {
  const config = container.get(TOKENS.config);
  const logger = container.get(TOKENS.logger);
  const registry = container.get(TOKENS.routes);

  // Behind a proxy, only the right-most X-Forwarded-For entry (the one our proxy appended) is
  // trusted: anything left of it was written by the client.
  const app = new Koa({ proxy: config.http.trustProxy, maxIpsCount: 1 });
  app.on('error', (err: Error, ctx?: Koa.Context) => {
    logger.error({ err, requestId: ctx?.state.requestId }, 'request error');
  });

  app.use(requestId(logger));
  app.use(requestLogger(logger, container.get(TOKENS.metrics)));
  app.use(securityHeaders(config));
  app.use(corsPolicy(config));
  app.use(errorHandler());
  app.use(
    rateLimit(container.get(TOKENS.redis), {
      namespace: 'rl:global',
      windowMs: config.rateLimit.windowMs,
      max: config.rateLimit.max,
      skip: (ctx) => isHealthProbe(ctx.path),
    }),
  );
  app.use(
    jsonBody({
      limitKb: config.http.bodyLimitKb,
      // DELETE too: deleting one's own account is confirmed by a password in the body.
      methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    }),
  );

  const router = registry.router(container.get(TOKENS.guards));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
