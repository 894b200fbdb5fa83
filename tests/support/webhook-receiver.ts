import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Answer = { status: number; body?: string; headers?: Record<string, string> };

/**
 * A local HTTP endpoint that records every webhook it receives (raw body and headers, for an
 * independent signature check). It can go down and come back on the same port (a receiver
 * outage), and what it answers can be changed.
 */
export interface WebhookReceiver {
  url(path?: string): string;
  received: ReceivedWebhook[];
  answer(fn: (hook: ReceivedWebhook) => Answer): void;
  /** Stops listening (connections refused) until start() again. */
  down(): Promise<void>;
  up(): Promise<void>;
  waitFor(predicate: (hooks: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let respond: (hook: ReceivedWebhook) => Answer = () => ({ status: 204 });
  let port = 0;
  let server: http.Server | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const hook: ReceivedWebhook = {
            path: req.url ?? '/',
            headers: Object.fromEntries(
              Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
            ),
            body: Buffer.concat(chunks).toString('utf8'),
            at: Date.now(),
          };
          received.push(hook);
          const answer = respond(hook);
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        });
      });
      s.on('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const down = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.closeAllConnections();
      s.close(() => resolve());
    });

  await listen();
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    answer: (fn) => {
      respond = fn;
    },
    down,
    up: listen,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `webhooks not received in time; got: ${received.map((h) => h.body.slice(0, 80)).join(' | ')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: down,
  };
}
