import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { ForbiddenError } from '../../../core/errors/app-error';

export const REFRESH_COOKIE = 'refresh_token';
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'X-CSRF-Token';

export interface CookieSettings {
  secure: boolean;
  /** The auth routes' path: the refresh cookie is sent nowhere else. */
  authPath: string;
  refreshTtlSeconds: number;
}

/** Browser mode: the refresh token lives in an httpOnly, SameSite=Strict cookie scoped to the auth path. */
export function setRefreshCookie(ctx: Context, token: string, settings: CookieSettings): void {
  ctx.cookies.set(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: settings.secure,
    path: settings.authPath,
    maxAge: settings.refreshTtlSeconds * 1000,
    overwrite: true,
  });
}

export function clearRefreshCookie(ctx: Context, settings: CookieSettings): void {
  ctx.cookies.set(REFRESH_COOKIE, '', {
    httpOnly: true,
    sameSite: 'strict',
    secure: settings.secure,
    path: settings.authPath,
    maxAge: 0,
  });
}

/** Double submit: a readable cookie whose value the page must echo in X-CSRF-Token. */
export function issueCsrfToken(ctx: Context, settings: CookieSettings): string {
  const token = randomBytes(32).toString('base64url');
  ctx.cookies.set(CSRF_COOKIE, token, {
    httpOnly: false,
    sameSite: 'strict',
    secure: settings.secure,
    path: '/',
    overwrite: true,
  });
  return token;
}

/** Requests authenticated by the refresh cookie must prove they come from our page. */
export function assertCsrf(ctx: Context): void {
  const cookie = ctx.cookies.get(CSRF_COOKIE) ?? '';
  const header = ctx.get(CSRF_HEADER);
  const valid =
    cookie.length > 0 && cookie.length === header.length && timingSafeEqual(Buffer.from(cookie), Buffer.from(header));
  if (!valid)
    throw new ForbiddenError(
      'A valid X-CSRF-Token header is required with cookie authentication',
      'CSRF_TOKEN_INVALID',
    );
}
