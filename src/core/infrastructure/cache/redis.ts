import { Redis } from 'ioredis';
import type { Config } from '../../config/config';
import type { Logger } from '../../logger';

/**
 * One shared ioredis connection. Commands fail fast while Redis is down instead of queueing
 * without bound, so callers can degrade; ioredis keeps reconnecting in the background.
 */
export async function connectRedis(
  config: Pick<NonNullable<Config['redis']>, 'url' | 'keyPrefix'>,
  logger: Logger,
): Promise<Redis> {
  const redis = new Redis(config.url, {
    keyPrefix: config.keyPrefix,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Commands issued in the same tick (concurrent requests' cache reads) share one write.
    enableAutoPipelining: true,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis error'));
  await redis.connect();
  return redis;
}

export async function pingRedis(redis: Redis): Promise<void> {
  await redis.ping();
}

/**
 * QUIT only works on a live connection; while Redis is unreachable it would wait on the
 * reconnect loop, so then the client is disconnected outright (which also stops reconnecting).
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  redis.disconnect();
}
