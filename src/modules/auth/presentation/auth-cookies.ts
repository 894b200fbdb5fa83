import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { ForbiddenError, ValidationError } from '../../../core/errors/app-error';

export const REFRESH_COOKIE = 'refresh_token';
export const CSRF_HEADER = 'X-CSRF-Token';

export interface CookieSettings {
  /**
   * Production: cookie mode only over HTTPS (directly, or behind a proxy trusted with
   * TRUST_PROXY). Elsewhere plain HTTP is allowed and cookies go without Secure.
   */
  requireHttps: boolean;
  /** Origins allowed to make state-changing cookie-mode requests (CORS_ORIGINS). */
  allowedOrigins: ReadonlySet<string>;
  /** The auth routes' path: the refresh cookie is sent nowhere else. */
  authPath: string;
  refreshTtlSeconds: number;
}

/**
 * The CSRF cookie's name. Over HTTPS it carries the __Host- prefix: browsers then only accept it
 * with Secure, Path=/ and no Domain, so neither a sibling subdomain nor a plain-HTTP page can plant
 * one. The prefix needs Secure, so plain HTTP (development) keeps the bare name.
 */
export const csrfCookieName = (ctx: Context): string => (ctx.secure ? '__Host-csrf_token' : 'csrf_token');

/**
 * Cookie mode needs HTTPS in production: the cookies are Secure there, and Koa refuses to send a
 * Secure cookie over a plain connection. Refused before any work, so a refused login leaves no
 * session behind; bearer mode (the JSON body) works over any transport.
 */
export function assertCookieTransport(ctx: Context, settings: CookieSettings, path?: string): void {
  if (!settings.requireHttps || ctx.secure) return;
  const message =
    'Cookie mode needs HTTPS: serve the API over TLS, or behind a TLS proxy with TRUST_PROXY=true ' +
    '(X-Forwarded-Proto: https); or use bearer mode (omit "cookie")';
  const detail = { ...(path ? { path } : {}), message: 'Cookie mode over plain HTTP' };
  throw new ValidationError(message, [detail], 'COOKIE_MODE_REQUIRES_HTTPS');
}

/**
 * A browser names the page behind every POST in Origin. SameSite=Strict already keeps the cookie
 * off other sites' requests; this also refuses a same-site page that is not one of ours (a
 * sibling subdomain), and "null" (sandboxed frames, privacy redirects). No Origin: not a browser
 * request, which cannot carry a victim's cookie by itself.
 */
export function assertOrigin(ctx: Context, settings: CookieSettings): void {
  const origin = ctx.get('Origin');
  if (origin && !settings.allowedOrigins.has(origin)) {
    throw new ForbiddenError('Cookie-mode requests are only accepted from the allowed origins', 'ORIGIN_NOT_ALLOWED');
  }
}

/** Browser mode: the refresh token lives in an httpOnly, SameSite=Strict cookie scoped to the auth path. */
export function setRefreshCookie(ctx: Context, token: string, settings: CookieSettings): void {
  ctx.cookies.set(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: settings.authPath,
    maxAge: settings.refreshTtlSeconds * 1000,
    overwrite: true,
  });
}

/** Secure only when the connection is: clearing must never fail a logout over plain HTTP. */
export function clearRefreshCookie(ctx: Context, settings: CookieSettings): void {
  ctx.cookies.set(REFRESH_COOKIE, '', {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: settings.authPath,
    maxAge: 0,
  });
}

/** Double submit: a readable cookie whose value the page must echo in X-CSRF-Token. */
export function setCsrfCookie(ctx: Context, token: string): void {
  ctx.cookies.set(csrfCookieName(ctx), token, {
    httpOnly: false,
    sameSite: 'strict',
    secure: ctx.secure,
    path: '/',
    overwrite: true,
  });
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Requests authenticated by the refresh cookie must echo the CSRF cookie in X-CSRF-Token, and
 * both must be the token of the refresh cookie's session (`expected`).
 */
export function assertCsrf(ctx: Context, expected: string): void {
  const cookie = ctx.cookies.get(csrfCookieName(ctx)) ?? '';
  const header = ctx.get(CSRF_HEADER);
  const valid = cookie.length > 0 && sameText(cookie, header) && sameText(header, expected);
  if (!valid)
    throw new ForbiddenError(
      'A valid X-CSRF-Token header is required with cookie authentication',
      'CSRF_TOKEN_INVALID',
    );
}
