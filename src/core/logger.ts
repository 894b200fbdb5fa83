import pino, { type Logger } from 'pino';
import type { Config } from './config/config';

export type { Logger };

/** Field names whose values never reach a log line, at any of the first three levels. */
const SECRET_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'tokenHash',
  'secret',
  'authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
];

export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? '' : '.';
  return [k, `*${dot}${k}`, `*.*${dot}${k}`, `*.*.*${dot}${k}`];
});

/** Fields of database errors that carry SQL or bound values (hashes, tokens): never logged. */
const SQL_ERROR_FIELDS = ['sql', 'parameters', 'original', 'parent', 'fields', 'errors', 'value', 'instance'];

function errorSerializer(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const field of SQL_ERROR_FIELDS) delete out[field];
  return out;
}

export function createLogger(config: Pick<Config, 'log' | 'env'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.log.level,
      base: { env: config.env },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: errorSerializer },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
