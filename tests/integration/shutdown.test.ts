import http from 'node:http';
import { probeModule } from '../support/probe-module';
import { startTestServer } from '../support/test-server';

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

describe('graceful shutdown', () => {
  test('when stopped during a request, then the in-flight request completes and new connections are refused', async () => {
    const server = await startTestServer({}, { modules: [probeModule] });
    const inFlight = get(`${server.url}/api/v1/_probe/slow?ms=400`);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const stopped = server.stop();
    const finished = await inFlight;
    await stopped;

    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body)).toEqual({ data: { waited: 400 } });
    await expect(get(`${server.url}/health/live`)).rejects.toThrow(/ECONNREFUSED/);
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
