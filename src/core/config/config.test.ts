import { ConfigError, loadConfig } from './config';

const SECRET = 'x'.repeat(32);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('when nothing is set, then development defaults apply with no database (embedded) and no Redis', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.http.port).toBe(3000);
    expect(config.api.basePath).toBe('/api/v1');
    expect(config.database.url).toBeNull();
    expect(config.redis).toBeNull();
    expect(config.rateLimit).toEqual({ windowMs: 900_000, max: 100 });
    expect(config.auth.accessTokenTtlSeconds).toBe(900);
    expect(config.auth.refreshTokenTtlSeconds).toBe(7 * 86_400);
    expect(config.auth.bcryptRounds).toBe(12);
  });

  test('when secrets are missing outside production, then ephemeral ones are made and a warning names each', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.auth.refreshTokenSecret).not.toBe(config.auth.jwtSecret);
    expect(config.auth.dataEncryptionKey).not.toBe(config.auth.refreshTokenSecret);
    expect(config.warnings).toEqual([
      expect.stringContaining('JWT_SECRET'),
      expect.stringContaining('REFRESH_TOKEN_SECRET'),
      expect.stringContaining('DATA_ENCRYPTION_KEY'),
    ]);
  });

  test('when in production without secrets, then each is named as required', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'JWT_SECRET: required in production',
      'REFRESH_TOKEN_SECRET: required in production',
      'DATA_ENCRYPTION_KEY: required in production',
    ]);
  });

  test('when in production with a short secret, then it is refused for its length', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        JWT_SECRET: 'short',
        REFRESH_TOKEN_SECRET: SECRET,
        DATA_ENCRYPTION_KEY: SECRET,
      }),
    ).toEqual(['JWT_SECRET: must be at least 32 characters in production']);
  });

  test('when several variables are bad, then every one is named in a single error', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'LOG_LEVEL',
      'DATABASE_URL',
      'JWT_SECRET',
      'REFRESH_TOKEN_SECRET',
      'DATA_ENCRYPTION_KEY',
    ]);
  });

  test('when DB_* variables are given, then they build an encoded connection URL', () => {
    const config = loadConfig({
      DB_HOST: 'db',
      DB_PORT: '6543',
      DB_NAME: 'app',
      DB_USER: 'svc',
      DB_PASSWORD: 'p@ss/w:rd',
    });
    expect(config.database.url).toBe('postgres://svc:p%40ss%2Fw%3Ard@db:6543/app');
  });

  test('when DATABASE_URL and DB_HOST are both set, then DATABASE_URL wins', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/d', DB_HOST: 'other' });
    expect(config.database.url).toBe('postgres://u@h:5432/d');
  });

  test('when REDIS_HOST is given, then a Redis URL with password and db is built', () => {
    const config = loadConfig({ REDIS_HOST: 'cache', REDIS_PASSWORD: 'pw', REDIS_DB: '2' });
    expect(config.redis?.url).toBe('redis://:pw@cache:6379/2');
  });

  test('when a variable is an empty string, then it counts as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: '  ' });
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBeNull();
    expect(config.redis).toBeNull();
  });

  test('when CORS_ORIGINS is a comma list, then it becomes a trimmed list of origins', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example.com, https://b.example.com ,' });
    expect(config.cors.origins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(problemsOf({ CORS_ORIGINS: 'not a url' })[0]).toMatch(/^CORS_ORIGINS/);
  });

  test('when the pool minimum exceeds the maximum, or SMTP lacks a host, then both are refused', () => {
    expect(problemsOf({ DB_POOL_MIN: '5', DB_POOL_MAX: '2', EMAIL_TRANSPORT: 'smtp' })).toEqual([
      'DB_POOL_MIN: must not exceed DB_POOL_MAX',
      'SMTP_URL: SMTP_URL or SMTP_HOST is required when EMAIL_TRANSPORT=smtp',
    ]);
  });

  test('when in production with a bcrypt cost below 12, then it is refused', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        REFRESH_TOKEN_SECRET: SECRET,
        DATA_ENCRYPTION_KEY: SECRET,
        BCRYPT_ROUNDS: '10',
      }),
    ).toEqual(['BCRYPT_ROUNDS: must be at least 12 in production']);
  });

  test('when loaded, then the config is deeply frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database.pool)).toBe(true);
  });
});
