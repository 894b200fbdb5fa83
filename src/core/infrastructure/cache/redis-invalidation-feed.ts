import type { Redis } from 'ioredis';
import type { Logger } from '../../logger';
import type { InvalidationFeed } from './decision-cache';
import type { NearCache } from './near-cache';

const isScopeList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((scope) => typeof scope === 'string');

/**
 * Cache invalidations between instances over Redis pub/sub, on a connection of its own (a
 * subscribed connection can run nothing else). The near cache serves only while this
 * subscription is known to be up: a dropped connection can lose messages, so it is forgotten
 * on `close` and trusted again only once the channel is subscribed anew.
 */
export class RedisInvalidationFeed implements InvalidationFeed {
  private readonly subscriber: Redis;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly near: NearCache,
    private readonly logger: Logger,
  ) {
    // Named, so an operator (or a test) can find it in CLIENT LIST.
    this.subscriber = redis.duplicate({
      lazyConnect: true,
      enableAutoPipelining: false,
      connectionName: `feed:${channel}`,
    });
    this.subscriber.on('message', (from: string, message: string) => {
      if (from === this.channel) this.receive(message);
    });
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => this.near.setFeed(false));
    this.subscriber.on('error', (err: Error) =>
      this.logger.debug({ err: { message: err.message } }, 'cache invalidation feed error'),
    );
  }

  /** Connects in the background: until subscribed, every decision comes from the shared cache. */
  start(): void {
    this.subscriber.connect().catch((err: Error) => {
      this.logger.warn({ err: { message: err.message } }, 'cache invalidation feed not connected: near cache off');
    });
  }

  async publish(scopes: string[]): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify(scopes));
    } catch (err) {
      // The shared cache failed too (same server): FailSoftCache distrusts it, and the other
      // instances lost their feed, so their near caches are off as well.
      this.logger.warn({ err: { message: (err as Error).message } }, 'cache invalidation not published');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.near.setFeed(false);
    if (this.subscriber.status === 'ready') await this.subscriber.quit().catch(() => undefined);
    this.subscriber.disconnect();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      if (!this.closed && this.subscriber.status === 'ready') this.near.setFeed(true);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'cache invalidation feed not subscribed');
    }
  }

  private receive(message: string): void {
    let scopes: unknown;
    try {
      scopes = JSON.parse(message);
    } catch {
      scopes = null;
    }
    // Unreadable means unknown: forgetting everything is the only safe reading.
    if (isScopeList(scopes)) this.near.invalidate(scopes);
    else this.near.forget();
  }
}
