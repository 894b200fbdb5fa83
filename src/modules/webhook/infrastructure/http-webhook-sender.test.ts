import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressPolicy } from './address-policy';
import { HttpWebhookSender } from './http-webhook-sender';

/** A real local HTTP server (no mock): each test says how it answers. */
async function serve(handler: http.RequestListener): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const request = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });

describe('the webhook sender', () => {
  test('when the host name resolves to an address, then the connection goes to that checked address, with the original Host header', async () => {
    const receiver = await serve((_req, res) => res.end('ok'));
    try {
      // "hooks.invalid" cannot resolve through DNS: only the policy's answer can route it.
      const policy = new AddressPolicy(true, async () => [{ address: '127.0.0.1', family: 4 }]);
      const result = await new HttpWebhookSender(policy, { timeoutMs: 2000, maxResponseBytes: 1024 }).send(
        request(`http://hooks.invalid:${receiver.port}/in`),
      );
      expect(result).toMatchObject({ statusCode: 200, error: null, responseBody: 'ok' });
      expect(receiver.hits).toEqual([`POST hooks.invalid:${receiver.port} /in`]);
    } finally {
      await receiver.close();
    }
  });

  test('when the host name now resolves to a private address (DNS rebinding), then nothing is sent', async () => {
    const receiver = await serve((_req, res) => res.end('ok'));
    try {
      const policy = new AddressPolicy(false, async () => [{ address: '127.0.0.1', family: 4 }]);
      const result = await new HttpWebhookSender(policy, { timeoutMs: 2000, maxResponseBytes: 1024 }).send(
        request(`http://rebind.example:${receiver.port}/in`),
      );
      expect(result).toMatchObject({ statusCode: null, error: expect.stringContaining('private') });
      expect(receiver.hits).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  test('when the receiver does not answer in time, then the attempt fails at the timeout', async () => {
    const receiver = await serve(() => undefined);
    try {
      const started = Date.now();
      const result = await new HttpWebhookSender(new AddressPolicy(true), {
        timeoutMs: 300,
        maxResponseBytes: 1024,
      }).send(request(`http://127.0.0.1:${receiver.port}/slow`));
      expect(result).toMatchObject({ statusCode: null, error: 'no complete answer within 300 ms' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await receiver.close();
    }
  });

  test('when the receiver answers a large body slowly, then 1 KiB is kept and the rest is not waited for', async () => {
    const receiver = await serve((_req, res) => {
      res.writeHead(500);
      res.write('x'.repeat(4096));
      // Never ends: the sender must not wait for the end once it has what it keeps.
    });
    try {
      const result = await new HttpWebhookSender(new AddressPolicy(true), {
        timeoutMs: 3000,
        maxResponseBytes: 1024,
      }).send(request(`http://127.0.0.1:${receiver.port}/big`));
      expect(result).toMatchObject({ statusCode: 500, error: 'HTTP 500' });
      expect(result.responseBody).toHaveLength(1024);
      expect(result.durationMs).toBeLessThan(2500);
    } finally {
      await receiver.close();
    }
  });

  test('when the receiver redirects, then the redirect is not followed', async () => {
    const target = await serve((_req, res) => res.end('followed'));
    const receiver = await serve((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${target.port}/` });
      res.end();
    });
    try {
      const result = await new HttpWebhookSender(new AddressPolicy(true), {
        timeoutMs: 2000,
        maxResponseBytes: 1024,
      }).send(request(`http://127.0.0.1:${receiver.port}/`));
      expect(result).toMatchObject({ statusCode: 307, error: 'HTTP 307: redirects are not followed' });
      expect(target.hits).toEqual([]);
    } finally {
      await receiver.close();
      await target.close();
    }
  });
});
