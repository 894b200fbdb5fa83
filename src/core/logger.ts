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

export function createLogger(config: Pick<Config, 'log' | 'env'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.log.level,
      base: { env: config.env },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
