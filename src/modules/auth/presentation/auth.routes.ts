import type { Context } from 'koa';
import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { UnauthorizedError } from '../../../core/errors/app-error';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { toUserView, userView, type User } from '../../user/user.public';
import { CompleteMfaChallenge, mfaChallengeInput } from '../application/complete-mfa-challenge.use-case';
import { LoginUser, loginInput } from '../application/login-user.use-case';
import { Logout, logoutInput } from '../application/logout.use-case';
import { RefreshSession } from '../application/refresh-session.use-case';
import { RegisterUser, registerInput } from '../application/register-user.use-case';
import { emailInput, RequestEmailToken } from '../application/request-email-token.use-case';
import { ResetPassword, resetPasswordInput } from '../application/reset-password.use-case';
import type { TokenPair } from '../application/session-issuer.service';
import { AUTH_SETTINGS } from '../application/tokens';
import { ConfirmEmailChange, emailTokenInput, VerifyEmail } from '../application/verify-email.use-case';
import { CsrfTokens } from '../application/csrf-tokens.service';
import {
  assertCookieTransport,
  assertCsrf,
  assertOrigin,
  clearRefreshCookie,
  REFRESH_COOKIE,
  setCsrfCookie,
  setRefreshCookie,
  type CookieSettings,
} from './auth-cookies';
import { authRateLimit } from './auth-rate-limit';

const cookieFlag = z.boolean().optional().openapi({
  description: 'Browser mode: set the refresh token as an httpOnly cookie instead of returning it',
});

const tokenResponse = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string().optional().openapi({ description: 'Absent in cookie mode' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
    tokenType: z.literal('Bearer'),
    user: userView,
  })
  .openapi('TokenResponse');

// #16: the password step of an account with a second factor answers this instead of tokens.
const mfaPendingResponse = z
  .object({
    mfaRequired: z.literal(true),
    mfaToken: z.string().openapi({ description: 'Send it with a code to POST /auth/mfa/challenge; single use' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the MFA token expires' }),
  })
  .openapi('MfaPendingResponse');

const accepted = z.object({ message: z.string() });
const ACCEPTED = { message: 'If the account exists, an email is on its way' };

export function authRoutes(container: ContainerInstance): RouteSpec[] {
  const config = container.get(TOKENS.config);
  const cache = container.get(TOKENS.cache);
  const settings = container.get(AUTH_SETTINGS);
  const cookies: CookieSettings = {
    requireHttps: config.isProduction,
    // As browsers serialise Origin: scheme://host[:port], no path or trailing slash.
    allowedOrigins: new Set(config.cors.origins.map((origin) => new URL(origin).origin)),
    authPath: `${config.api.basePath}/auth`,
    refreshTtlSeconds: settings.refreshTokenTtlSeconds,
  };
  /** Checks that come before any work in a request that reads or sets the refresh cookie. */
  const cookieMode = (ctx: Context, path?: string) => {
    assertCookieTransport(ctx, cookies, path);
    assertOrigin(ctx, cookies);
  };
  const limited = (name: string) => [authRateLimit(cache, name, config.auth.rateLimit)];

  const tokens = (ctx: Context, result: TokenPair & { user: User }, cookie: boolean | undefined) => {
    if (cookie) setRefreshCookie(ctx, result.refreshToken, cookies);
    return {
      accessToken: result.accessToken,
      refreshToken: cookie ? undefined : result.refreshToken,
      expiresIn: result.expiresIn,
      tokenType: 'Bearer' as const,
      user: toUserView(result.user),
    };
  };

  return [
    defineRoute({
      method: 'post',
      path: '/auth/register',
      tags: ['Auth'],
      summary: 'Create an account and send a verification email',
      auth: 'public',
      middleware: limited('register'),
      request: { body: registerInput },
      response: { status: 201, description: 'The new account (pending verification)', schema: userView },
      errors: [409],
      handler: async ({ body }) => toUserView(await container.get(RegisterUser).execute(body)),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/verify-email',
      tags: ['Auth'],
      summary: 'Confirm an email address with the token from the verification email',
      auth: 'public',
      request: { body: emailTokenInput },
      response: { status: 204, description: 'Verified' },
      handler: async ({ body }) => container.get(VerifyEmail).execute(body),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/confirm-email',
      tags: ['Auth'],
      summary: 'Apply an email change with the token mailed to the new address (see PUT /users/me)',
      auth: 'public',
      request: { body: emailTokenInput },
      response: { status: 204, description: 'The account now uses the new address' },
      errors: [409],
      handler: async ({ body }) => container.get(ConfirmEmailChange).execute(body),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/resend-verification',
      tags: ['Auth'],
      summary: 'Send a new verification email (same answer whether or not the account exists)',
      auth: 'public',
      middleware: limited('resend-verification'),
      request: { body: emailInput },
      response: { status: 202, description: 'Accepted', schema: accepted },
      handler: async ({ body }) => {
        await container.get(RequestEmailToken).execute({ ...body, purpose: 'verify_email' });
        return ACCEPTED;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['Auth'],
      summary: 'Sign in: an access token (15 min) and a rotating refresh token (7 days)',
      description:
        'With two-factor authentication on, the answer is `{mfaRequired: true, mfaToken, expiresIn}` and no ' +
        'token: finish with `POST /auth/mfa/challenge` (send `cookie` there for cookie mode).',
      auth: 'public',
      middleware: limited('login'),
      request: { body: loginInput.extend({ cookie: cookieFlag }) },
      response: {
        status: 200,
        description: 'Signed in, or the MFA step',
        schema: z.union([tokenResponse, mfaPendingResponse]),
      },
      errors: [401, 403],
      handler: async ({ body: { cookie, ...credentials } }, ctx) => {
        if (cookie) cookieMode(ctx, 'body.cookie');
        const result = await container.get(LoginUser).execute(credentials);
        return 'mfaRequired' in result ? result : tokens(ctx, result, cookie);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/mfa/challenge',
      tags: ['Auth'],
      summary: 'Sign-in step two: the MFA token of the password step and a TOTP or recovery code',
      description:
        'Exactly one of `code` (6 digits; each time step is accepted once) and `recoveryCode` (each works once). ' +
        'After 5 wrong codes in 15 minutes every code of the account is refused with 429 `MFA_TOO_MANY_ATTEMPTS`.',
      auth: 'public',
      middleware: limited('mfa-challenge'),
      request: { body: mfaChallengeInput.safeExtend({ cookie: cookieFlag }) },
      response: { status: 200, description: 'Signed in', schema: tokenResponse },
      errors: [401, 403],
      handler: async ({ body: { cookie, ...proof } }, ctx) => {
        if (cookie) cookieMode(ctx, 'body.cookie');
        return tokens(ctx, await container.get(CompleteMfaChallenge).execute(proof), cookie);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/refresh-token',
      tags: ['Auth'],
      summary: 'Exchange a refresh token for a new pair (the old token stops working)',
      description:
        'Send `refreshToken` in the body, or (browser mode) send no body token: the httpOnly cookie is used ' +
        'and the `X-CSRF-Token` header must echo the CSRF cookie (`__Host-csrf_token` over HTTPS, `csrf_token` ' +
        'over plain HTTP), which must be the token `GET /auth/csrf-token` gave for this session. Browser mode ' +
        'needs HTTPS in production and an allowed `Origin`. A reused token revokes the session.',
      auth: 'public',
      request: { body: z.strictObject({ refreshToken: z.string().min(10).max(200).optional(), cookie: cookieFlag }) },
      response: { status: 200, description: 'A new token pair', schema: tokenResponse },
      errors: [401, 403],
      handler: async ({ body }, ctx) => {
        let refreshToken = body.refreshToken;
        const fromCookie = !refreshToken;
        if (fromCookie || body.cookie) cookieMode(ctx, fromCookie ? undefined : 'body.cookie');
        if (fromCookie) {
          refreshToken = ctx.cookies.get(REFRESH_COOKIE);
          if (!refreshToken) throw new UnauthorizedError('A refresh token is required', 'REFRESH_TOKEN_INVALID');
          // Before the rotation: a refused request must not spend the token.
          assertCsrf(ctx, await container.get(CsrfTokens).forRefreshToken(refreshToken));
        }
        const result = await container.get(RefreshSession).execute({ refreshToken: refreshToken! });
        return tokens(ctx, result, body.cookie ?? fromCookie);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['Auth'],
      summary: 'End this session (or all, or all others) and revoke the access token',
      auth: 'user',
      permission: null,
      request: { body: logoutInput },
      response: { status: 204, description: 'Signed out' },
      handler: async ({ body }, ctx) => {
        await container.get(Logout).execute({ principal: principalOf(ctx), scope: body.scope });
        clearRefreshCookie(ctx, cookies);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/forgot-password',
      tags: ['Auth'],
      summary: 'Email a password reset link (same answer whether or not the account exists)',
      auth: 'public',
      middleware: limited('forgot-password'),
      request: { body: emailInput },
      response: { status: 202, description: 'Accepted', schema: accepted },
      handler: async ({ body }) => {
        await container.get(RequestEmailToken).execute({ ...body, purpose: 'reset_password' });
        return ACCEPTED;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/reset-password',
      tags: ['Auth'],
      summary: 'Set a new password with the token from the reset email; signs out every session',
      auth: 'public',
      middleware: limited('reset-password'),
      request: { body: resetPasswordInput },
      response: { status: 204, description: 'Password changed' },
      handler: async ({ body }) => container.get(ResetPassword).execute(body),
    }),
    defineRoute({
      method: 'get',
      path: '/auth/csrf-token',
      tags: ['Auth'],
      summary: "Browser mode: the CSRF token of the refresh cookie's session, also set as a readable cookie",
      description:
        'Needs the refresh cookie (sign in with `cookie: true` first): the token is bound to that session and ' +
        'stays the same across refreshes. The cookie is `__Host-csrf_token` over HTTPS, `csrf_token` over plain ' +
        'HTTP; echo its value in `X-CSRF-Token`. Production: HTTPS only.',
      auth: 'public',
      response: { status: 200, description: 'The CSRF token', schema: z.object({ csrfToken: z.string() }) },
      errors: [401],
      handler: async (_input, ctx) => {
        assertCookieTransport(ctx, cookies);
        const refreshToken = ctx.cookies.get(REFRESH_COOKIE);
        if (!refreshToken) {
          throw new UnauthorizedError(
            'Sign in with cookie mode first: the token is bound to its session',
            'REFRESH_TOKEN_INVALID',
          );
        }
        const csrfToken = await container.get(CsrfTokens).forRefreshToken(refreshToken);
        setCsrfCookie(ctx, csrfToken);
        return { csrfToken };
      },
    }),
  ];
}
