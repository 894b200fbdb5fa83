import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { requestContext } from '../context/request-context';
import type { Logger } from '../logger';
import '../http/context';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// A caller's id is kept only when it is short and plain, so it cannot forge log lines.
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const CHILD = Symbol('request logger');

/**
 * `ctx.log`: the request's child logger, made on first use (a pino child serializes its bindings
 * through redaction, a tenth of a cheap request's CPU when nothing below logs). Defined once on
 * the app's context prototype: a property defined on each ctx would cost more than the logger.
 */
function installRequestLogger(context: object, logger: Logger): void {
  if (Object.prototype.hasOwnProperty.call(context, 'log')) return;
  Object.defineProperty(context, 'log', {
    configurable: true,
    get(this: { state: { requestId?: string }; [CHILD]?: Logger }) {
      return (this[CHILD] ??= logger.child({ requestId: this.state.requestId }));
    },
  });
}

export function requestId(logger: Logger): Middleware {
  return async (ctx, next) => {
    installRequestLogger(ctx.app.context, logger);
    const incoming = ctx.get(REQUEST_ID_HEADER);
    const id = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set(REQUEST_ID_HEADER, id);
    // Everything below (use cases, audit log, repositories) sees who asked, from where.
    await requestContext.run({ requestId: id, ip: ctx.ip, userAgent: ctx.get('User-Agent') || undefined }, next);
  };
}
