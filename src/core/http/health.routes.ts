import { ServiceUnavailableError } from '../errors/app-error';
import type { Logger } from '../logger';
import { defineRoute, type RouteSpec } from './route';
import { z } from './zod';

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
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
  status: z.literal('ok'),
  checks: z.record(z.string(), z.literal('up')),
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
      auth: 'public',
      errors: [503],
      response: { status: 200, description: 'Ready', schema: readySchema },
      handler: async () => {
        const results = await Promise.all(
          checks.map(async ({ name, check }) =>
            withTimeout(check(), CHECK_TIMEOUT_MS).then(
              () => null,
              (err: Error) => {
                // The cause goes to the log only: it may name hosts and ports.
                logger.warn({ err: { message: err.message }, dependency: name }, 'readiness check failed');
                return { path: name, message: `${name} did not answer` };
              },
            ),
          ),
        );
        const failed = results.filter((r): r is { path: string; message: string } => r !== null);
        if (failed.length > 0) {
          throw new ServiceUnavailableError(`Not ready: ${failed.map((f) => f.path).join(', ')}`, 'NOT_READY', failed);
        }
        return { status: 'ok' as const, checks: Object.fromEntries(checks.map((c) => [c.name, 'up' as const])) };
      },
    }),
  ];
}
