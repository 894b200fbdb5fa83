import type { Middleware } from 'koa';
import { requestContext } from '../../../core/context/request-context';
import { UnauthorizedError } from '../../../core/errors/app-error';
import '../../../core/http/principal';
import type { Authenticator } from '../application/authenticator.service';

const BEARER = /^Bearer ([A-Za-z0-9_.-]{10,4096})$/;

/** The 'user' auth mode: a valid bearer access token of a live session and account. */
export function bearerGuard(authenticator: () => Authenticator): Middleware {
  return async (ctx, next) => {
    const match = BEARER.exec(ctx.get('Authorization'));
    if (!match?.[1]) throw new UnauthorizedError('A bearer access token is required');
    const principal = await authenticator().authenticate(match[1]);
    ctx.state.principal = principal;
    requestContext.assign({ actorId: principal.userId });
    await next();
  };
}
