import { ServiceUnavailableError } from '../errors/app-error';
import type { Logger } from '../logger';
import { defineRoute, type RouteSpec } from './route';
import { z } from './zod';

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
  /**
   * false: its failure leaves the instance ready, `degraded` (an extra tenant database: the other
   * tenants are still served, and taking every instance out would stop them too).
   */
  critical?: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Probes answer under /health/ and are never rate limited: an orchestrator must always reach them. */
export const isHealthProbe = (path: string): boolean => path.startsWith('/health/');

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const readySchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

/** Liveness (the process answers) and readiness (every configured dependency answers). */
export function healthRoutes(checks: HealthCheck[], logger: Logger): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/health/live',
      absolute: true,
      tags: ['Health'],
      summary: 'Liveness: the process is up',
      auth: 'public',
      response: { status: 200, description: 'Alive', schema: z.object({ status: z.literal('ok') }) },
      handler: async () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'get',
      path: '/health/ready',
      absolute: true,
      tags: ['Health'],
      summary: 'Readiness: the database and, when configured, Redis answer',
      description:
        'An extra tenant database (TENANT_DATABASES) that does not answer leaves the instance ready, with status ' +
        '`degraded` and that database `down`: only its tenants are unavailable.',
      auth: 'public',
      errors: [503],
      response: { status: 200, description: 'Ready', schema: readySchema },
      handler: async () => {
        const results = await Promise.all(
          checks.map(async ({ name, check, critical = true }) =>
            withTimeout(check(), CHECK_TIMEOUT_MS).then(
              () => null,
              (err: Error) => {
                // The cause goes to the log only: it may name hosts and ports.
                logger.warn({ err: { message: err.message }, dependency: name }, 'readiness check failed');
                return { path: name, message: `${name} did not answer`, critical };
              },
            ),
          ),
        );
        const failed = results.filter((r): r is { path: string; message: string; critical: boolean } => r !== null);
        const fatal = failed.filter((f) => f.critical).map(({ path, message }) => ({ path, message }));
        if (fatal.length > 0) {
          throw new ServiceUnavailableError(`Not ready: ${fatal.map((f) => f.path).join(', ')}`, 'NOT_READY', fatal);
        }
        const down = new Set(failed.map((f) => f.path));
        return {
          status: down.size > 0 ? ('degraded' as const) : ('ok' as const),
          checks: Object.fromEntries(
            checks.map((c) => [c.name, down.has(c.name) ? ('down' as const) : ('up' as const)]),
          ),
        };
      },
    }),
  ];
}
