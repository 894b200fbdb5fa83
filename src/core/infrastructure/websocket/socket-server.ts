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
}

/**
 * The Socket.IO server of one instance. It exists from start-up (modules register namespaces and
 * emit through it), is attached to the HTTP server once that listens, and with Redis it uses the
 * Redis adapter, so an emit on one instance reaches clients connected to any other.
 */
export class SocketServer {
  readonly io: Server;
  private readonly pubSub: Redis[] = [];
  private closing: Promise<void> | null = null;

  constructor(settings: SocketSettings, redis: Redis | null, logger: Logger) {
    this.io = new Server({
      cors: { origin: settings.corsOrigins, credentials: true },
      // Clients send their token in the handshake; nothing else travels before authentication.
      maxHttpBufferSize: 64 * 1024,
      serveClient: false,
    });
    if (redis) {
      // Dedicated connections: a subscribed connection can do nothing else.
      const pub = redis.duplicate({ keyPrefix: '' });
      const sub = redis.duplicate({ keyPrefix: '' });
      for (const client of [pub, sub]) {
        client.on('error', (err: Error) =>
          logger.warn({ err: { message: err.message } }, 'socket adapter redis error'),
        );
      }
      this.pubSub.push(pub, sub);
      this.io.adapter(createAdapter(pub, sub, { key: `${settings.channelPrefix}socket.io` }));
    }
  }

  attach(server: http.Server): void {
    this.io.attach(server);
  }

  /** Disconnects every local client and leaves the adapter's channels; the HTTP server is closed by its owner. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.io.close();
      await Promise.all(this.pubSub.map(closeRedis));
    })();
    return this.closing;
  }
}
