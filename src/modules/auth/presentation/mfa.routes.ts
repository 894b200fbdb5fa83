import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { ActivateTotp, activateTotpInput } from '../application/activate-totp.use-case';
import { DisableTotp, disableTotpInput } from '../application/disable-totp.use-case';
import { EnrolTotp } from '../application/enrol-totp.use-case';
import { MfaStatus } from '../application/mfa-status.service';
import { authRateLimit } from './auth-rate-limit';

const enrolment = z
  .object({
    secret: z.string().openapi({ description: 'Base32 seed, to type into an app by hand; shown only now' }),
    otpauthUri: z.string().openapi({ example: 'otpauth://totp/app.example.com:ada%40example.com?secret=…' }),
    qrCode: z.string().openapi({ description: 'The URI as a QR code: an SVG image as a data: URL' }),
  })
  .openapi('TotpEnrolment');

/** Two-factor authentication with an authenticator app (#16 part 2); the sign-in step is in auth.routes. */
export function mfaRoutes(container: ContainerInstance): RouteSpec[] {
  const config = container.get(TOKENS.config);
  const cache = container.get(TOKENS.cache);
  const limited = (name: string) => [authRateLimit(cache, name, config.auth.rateLimit)];
  return [
    defineRoute({
      method: 'get',
      path: '/auth/mfa',
      tags: ['Auth'],
      summary: 'Whether two-factor authentication is on for my account',
      auth: 'user',
      permission: null,
      response: { status: 200, description: 'MFA state', schema: z.object({ totpEnabled: z.boolean() }) },
      handler: async (_input, ctx) => ({
        totpEnabled: await container.get(MfaStatus).isEnabled(principalOf(ctx).userId),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/mfa/totp',
      tags: ['Auth'],
      summary: 'Start TOTP enrolment: a new seed as an otpauth URI and a QR code',
      description: 'Pending until `POST /auth/mfa/totp/verify`; calling it again replaces a pending seed.',
      auth: 'user',
      permission: null,
      middleware: limited('mfa-enrol'),
      response: { status: 201, description: 'Scan the QR code, then verify a code', schema: enrolment },
      errors: [409],
      handler: async (_input, ctx) => container.get(EnrolTotp).execute({ userId: principalOf(ctx).userId }),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/mfa/totp/verify',
      tags: ['Auth'],
      summary: 'Activate TOTP with a first code; answers ten one-time recovery codes, shown only now',
      auth: 'user',
      permission: null,
      middleware: limited('mfa-verify'),
      request: { body: activateTotpInput },
      response: {
        status: 200,
        description: 'Two-factor authentication is on',
        schema: z.object({ recoveryCodes: z.array(z.string()) }),
      },
      errors: [401, 409],
      handler: async ({ body }, ctx) =>
        container.get(ActivateTotp).execute({ ...body, userId: principalOf(ctx).userId }),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/mfa/totp/disable',
      tags: ['Auth'],
      summary: 'Turn TOTP off with the password and a current code (or a recovery code)',
      auth: 'user',
      permission: null,
      middleware: limited('mfa-disable'),
      request: { body: disableTotpInput },
      response: { status: 204, description: 'Two-factor authentication is off; recovery codes are void' },
      errors: [401, 409, 422],
      handler: async ({ body }, ctx) =>
        container.get(DisableTotp).execute({ ...body, userId: principalOf(ctx).userId }),
    }),
  ];
}
