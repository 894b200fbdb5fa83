import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Logger } from '../../logger';
import { closeRedis } from '../cache/redis';

export interface SocketSettings {
  /** Browser origins allowed to open a socket (empty: none, non-browser clients only). */
  corsOrigins: string[];
  /** Prefix of the Redis pub/sub channels shared by every instance. */
  channelPrefix: string;
  /**
   * Only the websocket transport: required under node:cluster, which spreads a long-polling
   * client's requests over workers that do not share its session.
   */
  websocketOnly: boolean;
}

/**
 * The Socket.IO server of one instance. It exists from start-up (modules register namespaces and
 * emit through it) and is attached to the HTTP server once that listens. With Redis it uses the
 * Redis adapter, so an emit on one instance reaches clients connected to any other.
 */
export class SocketServer {
  readonly io: Server;
  private readonly pubSub: Redis[] = [];
  private closing: Promise<void> | null = null;
  private connecting: Promise<void> | null = null;
  private attached = false;

  constructor(
    private readonly settings: SocketSettings,
    redis: Redis | null,
    private readonly logger: Logger,
  ) {
    this.io = new Server({
      cors: { origin: settings.corsOrigins, credentials: true },
      // Clients send their token in the handshake; nothing else travels before authentication.
      maxHttpBufferSize: 64 * 1024,
      serveClient: false,
      ...(settings.websocketOnly ? { transports: ['websocket' as const] } : {}),
    });
    if (redis) {
      // Dedicated connections (a subscribed connection can do nothing else), opened by attach().
      const options = { keyPrefix: '', lazyConnect: true, enableAutoPipelining: false };
      this.pubSub.push(redis.duplicate(options), redis.duplicate(options));
    }
  }

  /** Whether emits and server-side messages reach other instances (the Redis adapter). */
  get distributed(): boolean {
    return this.pubSub.length > 0;
  }

  /**
   * Connects the adapter (with Redis): from then on emits and server-side messages reach the
   * clients of every instance. A worker process calls only this; it serves no client itself.
   */
  connect(): Promise<void> {
    this.connecting ??= (async () => {
      const [pub, sub] = this.pubSub;
      if (!pub || !sub) return;
      for (const client of [pub, sub]) {
        client.on('error', (err: Error) =>
          this.logger.warn({ err: { message: err.message } }, 'socket adapter redis error'),
        );
      }
      await Promise.all([pub.connect(), sub.connect()]);
      // The adapter leaves its commands' failures unhandled: while Redis is down an emit is lost
      // (and logged) instead of crashing the process with an unhandled rejection.
      this.failSoft(pub, ['publish']);
      this.failSoft(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
      this.io.adapter(createAdapter(pub, sub, { key: `${this.settings.channelPrefix}socket.io` }));
    })();
    return this.connecting;
  }

  /** Connects the adapter, then serves Socket.IO on the server. */
  async attach(server: http.Server): Promise<void> {
    await this.connect();
    this.io.attach(server);
    this.attached = true;
  }

  /** Disconnects every local client and leaves the adapter's channels; the HTTP server is closed by its owner. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Never attached (the admin scripts): no engine and no client to close.
      if (this.attached) await this.io.close();
      await Promise.all(this.pubSub.map(closeRedis));
    })();
    return this.closing;
  }

  private failSoft(client: Redis, methods: string[]): void {
    const target = client as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const method of methods) {
      const original = target[method]!.bind(client);
      target[method] = (...args: unknown[]) => {
        const result = original(...args);
        return result instanceof Promise
          ? result.catch((err: Error) => {
              this.logger.warn({ err: { message: err.message }, command: method }, 'socket adapter command failed');
            })
          : result;
      };
    }
  }
}
