import http from 'node:http';
import { probeModule } from '../support/probe-module';
import { startTestServer, type TestServer } from '../support/test-server';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Resolves once the server counts a request in flight (its http_requests_in_flight gauge, on METRICS_PORT). */
async function requestInFlight(server: TestServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await fetch(server.metricsUrl!).then((r) => r.text());
    if (Number(/^http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error('the request never reached the server');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('graceful shutdown', () => {
  test('when stopped during a request, then the in-flight request completes, new connections are refused, and stop does not wait out the keep-alive', async () => {
    const server = await startTestServer({ METRICS_PORT: '0' }, { modules: [probeModule] });
    // Node's default agent keeps the connection alive once the request is answered.
    const inFlight = get(`${server.url}/api/v1/_probe/slow?ms=400`);
    await requestInFlight(server);

    const stopped = server.stop().then(() => Date.now());
    const finished = await inFlight;
    const answeredAt = Date.now();
    const stoppedAt = await stopped;

    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body)).toEqual({ data: { waited: 400 } });
    await expect(get(`${server.url}/health/live`)).rejects.toThrow(/ECONNREFUSED/);
    // The answered connection is closed once idle, not after keepAliveTimeout (5 s).
    expect(stoppedAt - answeredAt).toBeLessThan(2_500);
  });

  test('when a request outlives the shutdown bound, then it is cut and stop still resolves', async () => {
    const server = await startTestServer({ SHUTDOWN_TIMEOUT_MS: '100' }, { modules: [probeModule] });
    const slow = get(`${server.url}/api/v1/_probe/slow?ms=3000`).then(
      () => 'completed',
      (err: Error) => err.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await slow).toMatch(/socket hang up|ECONNRESET/);
  });
});
