import { randomBytes } from 'node:crypto';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { durationToSeconds } from '../utils/duration';

const PROJECT_ROOT = path.resolve(__dirname, '../../..').replace(/[/\\]dist$/, '');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z.string().trim().optional();
const commaList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const duration = z.string().regex(/^\d+\s*(s|m|h|d)?$/, 'expected a duration such as 900, 15m, 12h or 7d');

/** Every variable the service reads; .env.example, the README and docs/deployment document each one (a test checks). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  TRUST_PROXY: bool.default(false),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  WEB_CONCURRENCY: int(1, 64).default(1),
  WORKERS: z.enum(['inline', 'none']).default('inline'),
  JOBS_CONCURRENCY: int(1, 64).default(4),
  JOBS_POLL_INTERVAL_S: int(1, 300).default(2),
  JOBS_RETRY_LIMIT: int(0, 50).default(5),
  JOBS_RETRY_DELAY_S: int(1, 3600).default(10),
  JOBS_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,29}$/, 'letters, digits and _ (starting with a letter), at most 30')
    .optional(),
  API_PREFIX: z
    .string()
    .regex(/^\/[a-z0-9-]*$/, 'must start with / and hold only a-z, 0-9 and -')
    .default('/api'),
  API_VERSION: z
    .string()
    .regex(/^v\d+$/, 'expected v1, v2, ...')
    .default('v1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DB_HOST: optionalText,
  DB_PORT: int(1, 65535).default(5432),
  DB_NAME: z.string().default('tenant_api'),
  DB_USER: z.string().default('postgres'),
  DB_PASSWORD: optionalText,
  DB_POOL_MIN: int(0, 100).default(0),
  DB_POOL_MAX: int(1, 200).default(10),
  DB_SSL: bool.default(false),
  DB_MIGRATE_ON_START: bool.default(true),
  EMBEDDED_PG_DIR: z.string().default('.data/postgres'),
  TENANT_MIGRATIONS_DIR: z.string().optional(),
  TENANT_DATABASES: z
    .string()
    .optional()
    .transform((value, ctx) => parseTenantDatabases(value ?? '', ctx)),
  TENANT_PLACEMENT: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? null
        : value
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean),
    ),
  EMBEDDED_PG_PORT: int(1, 65535).default(54329),

  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_HOST: optionalText,
  REDIS_PORT: int(1, 65535).default(6379),
  REDIS_PASSWORD: optionalText,
  REDIS_DB: int(0, 15).default(0),
  REDIS_KEY_PREFIX: z.string().default('tapi:'),
  NEAR_CACHE_MAX_ENTRIES: int(0, 10_000_000).default(10_000),

  JWT_SECRET: optionalText,
  JWT_EXPIRES_IN: duration.default('15m'),
  REFRESH_TOKEN_SECRET: optionalText,
  DATA_ENCRYPTION_KEY: optionalText,
  REFRESH_TOKEN_EXPIRES_IN: duration.default('7d'),

  BCRYPT_ROUNDS: int(4, 15).default(12),
  REQUIRE_EMAIL_VERIFICATION: bool.default(false),
  REFRESH_REUSE_WINDOW_S: int(0, 300).default(10),
  SESSION_ABSOLUTE_LIFETIME: duration.default('30d'),
  SESSION_IDLE_TIMEOUT: duration.default('7d'),
  AUTH_RATE_LIMIT_MAX: int(1, 10_000_000).default(10),
  AUTH_RATE_LIMIT_WINDOW_MS: int(1000, 86_400_000).default(900_000),

  WORKSPACES_PER_USER: int(1, 10_000).default(10),

  CORS_ORIGINS: commaList.pipe(z.array(z.url())),
  SOCKET_PORT: int(0, 65535).optional(),
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  SOCKET_CORS_ORIGIN: commaList.pipe(z.array(z.url())),
  RATE_LIMIT_WINDOW_MS: int(1000, 86_400_000).default(900_000),
  RATE_LIMIT_MAX_REQUESTS: int(1, 10_000_000).default(100),
  BODY_LIMIT_KB: int(1, 102_400).default(1024),

  UPLOADS_DIR: z.string().default('.data/uploads'),
  AVATAR_MAX_KB: int(1, 10_240).default(1024),

  FRONTEND_URL: z.url().default('http://localhost:5173'),
  SSO_CALLBACK_URL: z.url().default('http://localhost:3000/api/v1/auth/sso/callback'),
  EMAIL_TRANSPORT: z.enum(['file', 'smtp']).default('file'),
  EMAIL_FROM: z.string().default('Tenant API <no-reply@localhost>'),
  EMAIL_OUTBOX_DIR: z.string().default('.data/outbox'),
  SMTP_URL: optionalText,
  SMTP_HOST: optionalText,
  SMTP_PORT: int(1, 65535).default(587),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  SMTP_SECURE: bool.default(false),

  WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_RETRY_BASE_S: int(1, 86_400).default(30),
  WEBHOOK_RETRY_WINDOW_S: int(1, 7 * 86_400).default(86_400),
});

type Env = z.infer<typeof envSchema>;

export interface DatabaseConfig {
  /** null: nothing configured, so the app runs an embedded PostgreSQL. */
  url: string | null;
  pool: { min: number; max: number };
  ssl: boolean;
  migrateOnStart: boolean;
  embedded: { dir: string; port: number };
  /** Folder of tenant migrations; default tenants/migrations (compiled in dist). */
  tenantMigrationsDir: string | null;
  /** Extra databases that hold tenant schemas (shards), by name; the main database is shard `main`. */
  shards: { name: string; url: string }[];
  /** The databases new tenants may be placed on (least loaded first); null: all of them. */
  placement: string[] | null;
}

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    trustProxy: boolean;
    shutdownTimeoutMs: number;
    bodyLimitKb: number;
    /** Worker processes sharing the port (node:cluster); 1: this process serves. */
    workers: number;
  };
  api: { prefix: string; version: string; basePath: string };
  log: { level: Env['LOG_LEVEL'] };
  database: DatabaseConfig;
  /** null: no Redis configured, in-memory stand-ins are used. */
  redis: { url: string; keyPrefix: string; nearCacheMaxEntries: number } | null;
  auth: {
    jwtSecret: string;
    refreshTokenSecret: string;
    /**
     * Encrypts secrets the server keeps at rest and must read back (MFA seeds, SSO client
     * secrets), under keys derived per purpose. Unlike the token secrets it is never rotated
     * casually: what it sealed cannot be read without it.
     */
    dataEncryptionKey: string;
    /** Secrets made up for this process because none was configured (never in production). */
    ephemeralSecrets: string[];
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    bcryptRounds: number;
    requireEmailVerification: boolean;
    reuseWindowSeconds: number;
    sessionAbsoluteSeconds: number;
    sessionIdleSeconds: number;
    rateLimit: { windowMs: number; max: number };
  };
  workspaces: { maxOwnedPerUser: number };
  cors: { origins: string[] };
  /** Prometheus metrics: on their own port, and/or at /metrics behind a bearer token; off when neither. */
  metrics: { port: number | null; token: string | null };
  /** Socket.IO: on the HTTP port unless `port` is set; browser origins (default: CORS_ORIGINS). */
  sockets: { port: number | null; corsOrigins: string[] };
  rateLimit: { windowMs: number; max: number };
  frontendUrl: string;
  /**
   * OIDC single sign-on: the redirect URI registered with every workspace's provider (this API's
   * public `/api/v1/auth/sso/callback`). Plain-HTTP issuers are refused in production.
   */
  sso: { callbackUrl: string; allowInsecureIssuers: boolean };
  /** Uploaded files (avatars) on local disk. */
  uploads: { dir: string; avatarMaxBytes: number };
  email: {
    transport: Env['EMAIL_TRANSPORT'];
    from: string;
    outboxDir: string;
    smtp: { url?: string; host?: string; port: number; user?: string; password?: string; secure: boolean };
  };
  /** The outbox's workers: in this process (inline) or in `npm run worker` processes (none here). */
  jobs: {
    workers: Env['WORKERS'];
    queuePrefix: string;
    concurrency: number;
    pollSeconds: number;
    retryLimit: number;
    retryDelaySeconds: number;
  };
  /** Outgoing webhooks (ADR 0015). */
  webhooks: {
    /** Allow endpoints on loopback, private, link-local and metadata addresses (tests, closed networks). */
    allowPrivate: boolean;
    /** The first retry waits this long; each next one twice as long (with jitter). */
    retryBaseSeconds: number;
    /** No retry starts later than this after the first attempt: then the delivery failed for good. */
    retryWindowSeconds: number;
    /** One attempt's bound, connection to last byte. */
    timeoutMs: number;
  };
  /** Non-fatal findings made while loading, logged once the logger exists. */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_MIN_LENGTH = 32;
const SECRETS = ['JWT_SECRET', 'REFRESH_TOKEN_SECRET', 'DATA_ENCRYPTION_KEY'] as const;

const SHARD_NAME = /^[a-z][a-z0-9_]{0,29}$/;

/**
 * `TENANT_DATABASES=eu2=postgres://…,eu3=postgres://…`: named, because the directory records a
 * tenant's shard by name and a list read by position would silently re-point tenants when an
 * entry is removed. `main` is the main database's own name.
 */
function parseTenantDatabases(value: string, ctx: z.RefinementCtx): { name: string; url: string }[] {
  const shards: { name: string; url: string }[] = [];
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at) : '';
    const url = entry.slice(at + 1);
    if (!SHARD_NAME.test(name) || name === 'main') {
      ctx.addIssue({
        code: 'custom',
        message: `each entry is name=postgres://… with a name of a-z, 0-9 and _ other than "main" (got "${name || entry.slice(0, 20)}")`,
      });
    } else if (!/^postgres(ql)?:\/\/[^\s]+$/.test(url)) {
      ctx.addIssue({ code: 'custom', message: `the URL of shard "${name}" must be postgres://…` });
    } else if (shards.some((s) => s.name === name)) {
      ctx.addIssue({ code: 'custom', message: `shard "${name}" is named twice` });
    } else shards.push({ name, url });
  }
  return shards;
}

function databaseUrl(env: Env): string | null {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (!env.DB_HOST) return null;
  const auth = env.DB_PASSWORD
    ? `${encodeURIComponent(env.DB_USER)}:${encodeURIComponent(env.DB_PASSWORD)}`
    : encodeURIComponent(env.DB_USER);
  return `postgres://${auth}@${env.DB_HOST}:${env.DB_PORT}/${encodeURIComponent(env.DB_NAME)}`;
}

function redisUrl(env: Env): string | null {
  if (env.REDIS_URL) return env.REDIS_URL;
  if (!env.REDIS_HOST) return null;
  const auth = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
  return `redis://${auth}${env.REDIS_HOST}:${env.REDIS_PORT}/${env.REDIS_DB}`;
}

/** Production refuses missing or short secrets; elsewhere a missing one becomes ephemeral. */
function secretProblems(source: Record<string, string>): string[] {
  if (source.NODE_ENV !== 'production') return [];
  return SECRETS.flatMap((name) => {
    const value = source[name];
    if (!value) return [`${name}: required in production`];
    if (value.length < SECRET_MIN_LENGTH)
      return [`${name}: must be at least ${SECRET_MIN_LENGTH} characters in production`];
    return [];
  });
}

function resolveSecrets(env: Env, warnings: string[]): Record<(typeof SECRETS)[number], string> {
  const resolve = (name: (typeof SECRETS)[number]) => {
    const value = env[name];
    if (value) return value;
    // Ephemeral: tokens die with the process, which is what a dev or test run wants.
    warnings.push(`${name} is not set: using an ephemeral secret for this process`);
    return randomBytes(48).toString('base64url');
  };
  return {
    JWT_SECRET: resolve('JWT_SECRET'),
    REFRESH_TOKEN_SECRET: resolve('REFRESH_TOKEN_SECRET'),
    DATA_ENCRYPTION_KEY: resolve('DATA_ENCRYPTION_KEY'),
  };
}

function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && env.BCRYPT_ROUNDS < 12)
    problems.push('BCRYPT_ROUNDS: must be at least 12 in production');
  if (env.DB_POOL_MIN > env.DB_POOL_MAX) problems.push('DB_POOL_MIN: must not exceed DB_POOL_MAX');
  const databases = ['main', ...env.TENANT_DATABASES.map((s) => s.name)];
  const unknown = (env.TENANT_PLACEMENT ?? []).filter((name) => !databases.includes(name));
  if (unknown.length > 0 || env.TENANT_PLACEMENT?.length === 0)
    problems.push(`TENANT_PLACEMENT: names ${databases.join(', ')} only (got ${env.TENANT_PLACEMENT?.join(', ')})`);
  // Caches, revocations, rate limits and socket events are per process without Redis.
  if (env.WEB_CONCURRENCY > 1 && !env.REDIS_URL && !env.REDIS_HOST)
    problems.push('WEB_CONCURRENCY: more than one worker needs Redis (REDIS_URL or REDIS_HOST) to share state');
  if (env.EMAIL_TRANSPORT === 'smtp' && !env.SMTP_URL && !env.SMTP_HOST)
    problems.push('SMTP_URL: SMTP_URL or SMTP_HOST is required when EMAIL_TRANSPORT=smtp');
  return problems;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.join('.') || '(root)';
  return `${name}: ${issue.message}`;
}

/** Parses the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (FOO= in a .env) means "not set", so defaults apply.
  const present = Object.fromEntries(
    Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? crossFieldProblems(parsed.data) : parsed.error.issues.map(formatIssue)),
    ...secretProblems(present),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const warnings: string[] = [];
  const secrets = resolveSecrets(env, warnings);

  const redis = redisUrl(env);
  // Not refused: a node may stop running jobs for a while (and tests kill one that ran none).
  if (env.WORKERS === 'none' && !redis)
    warnings.push('WORKERS=none without Redis: jobs wait for `npm run worker`, which needs Redis to reach sockets');
  const config: Config = {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    http: {
      host: env.HOST,
      port: env.PORT,
      trustProxy: env.TRUST_PROXY,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      bodyLimitKb: env.BODY_LIMIT_KB,
      workers: env.WEB_CONCURRENCY,
    },
    api: {
      prefix: env.API_PREFIX,
      version: env.API_VERSION,
      basePath: `${env.API_PREFIX === '/' ? '' : env.API_PREFIX}/${env.API_VERSION}`,
    },
    log: { level: env.LOG_LEVEL },
    database: {
      url: databaseUrl(env),
      pool: { min: env.DB_POOL_MIN, max: env.DB_POOL_MAX },
      ssl: env.DB_SSL,
      migrateOnStart: env.DB_MIGRATE_ON_START,
      embedded: { dir: path.resolve(PROJECT_ROOT, env.EMBEDDED_PG_DIR), port: env.EMBEDDED_PG_PORT },
      tenantMigrationsDir: env.TENANT_MIGRATIONS_DIR ? path.resolve(PROJECT_ROOT, env.TENANT_MIGRATIONS_DIR) : null,
      shards: env.TENANT_DATABASES,
      placement: env.TENANT_PLACEMENT,
    },
    redis: redis
      ? { url: redis, keyPrefix: env.REDIS_KEY_PREFIX, nearCacheMaxEntries: env.NEAR_CACHE_MAX_ENTRIES }
      : null,
    auth: {
      jwtSecret: secrets.JWT_SECRET,
      refreshTokenSecret: secrets.REFRESH_TOKEN_SECRET,
      dataEncryptionKey: secrets.DATA_ENCRYPTION_KEY,
      ephemeralSecrets: SECRETS.filter((name) => !env[name]),
      accessTokenTtlSeconds: durationToSeconds(env.JWT_EXPIRES_IN),
      refreshTokenTtlSeconds: durationToSeconds(env.REFRESH_TOKEN_EXPIRES_IN),
      bcryptRounds: env.BCRYPT_ROUNDS,
      requireEmailVerification: env.REQUIRE_EMAIL_VERIFICATION,
      reuseWindowSeconds: env.REFRESH_REUSE_WINDOW_S,
      sessionAbsoluteSeconds: durationToSeconds(env.SESSION_ABSOLUTE_LIFETIME),
      sessionIdleSeconds: durationToSeconds(env.SESSION_IDLE_TIMEOUT),
      rateLimit: { windowMs: env.AUTH_RATE_LIMIT_WINDOW_MS, max: env.AUTH_RATE_LIMIT_MAX },
    },
    workspaces: { maxOwnedPerUser: env.WORKSPACES_PER_USER },
    cors: { origins: env.CORS_ORIGINS },
    metrics: { port: env.METRICS_PORT ?? null, token: env.METRICS_TOKEN ?? null },
    sockets: {
      port: env.SOCKET_PORT ?? null,
      corsOrigins: env.SOCKET_CORS_ORIGIN.length > 0 ? env.SOCKET_CORS_ORIGIN : env.CORS_ORIGINS,
    },
    rateLimit: { windowMs: env.RATE_LIMIT_WINDOW_MS, max: env.RATE_LIMIT_MAX_REQUESTS },
    frontendUrl: env.FRONTEND_URL.replace(/\/$/, ''),
    sso: { callbackUrl: env.SSO_CALLBACK_URL, allowInsecureIssuers: env.NODE_ENV !== 'production' },
    uploads: { dir: path.resolve(PROJECT_ROOT, env.UPLOADS_DIR), avatarMaxBytes: env.AVATAR_MAX_KB * 1024 },
    email: {
      transport: env.EMAIL_TRANSPORT,
      from: env.EMAIL_FROM,
      outboxDir: path.resolve(PROJECT_ROOT, env.EMAIL_OUTBOX_DIR),
      smtp: {
        url: env.SMTP_URL,
        host: env.SMTP_HOST,
        port: env.SMTP_PORT,
        user: env.SMTP_USER,
        password: env.SMTP_PASSWORD,
        secure: env.SMTP_SECURE,
      },
    },
    jobs: {
      workers: env.WORKERS,
      queuePrefix: env.JOBS_QUEUE_PREFIX ? `${env.JOBS_QUEUE_PREFIX}_` : '',
      concurrency: env.JOBS_CONCURRENCY,
      pollSeconds: env.JOBS_POLL_INTERVAL_S,
      retryLimit: env.JOBS_RETRY_LIMIT,
      retryDelaySeconds: env.JOBS_RETRY_DELAY_S,
    },
    webhooks: {
      allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE,
      retryBaseSeconds: env.WEBHOOK_RETRY_BASE_S,
      retryWindowSeconds: env.WEBHOOK_RETRY_WINDOW_S,
      timeoutMs: 10_000,
    },
    warnings,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value as object).forEach((v: unknown) => deepFreeze(v));
    Object.freeze(value);
  }
  return value;
}

/** Reads a local .env into process.env (never overriding real variables). */
export function loadDotEnv(): void {
  // dotenv is only a convenience for local runs; containers pass real variables.
  dotenv.config({ path: path.join(PROJECT_ROOT, '.env'), quiet: true });
}

export { PROJECT_ROOT };
