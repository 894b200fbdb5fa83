import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { APP_MODULES } from '../../../src/core/bootstrap/modules';
import { faultProbeModule } from '../../support/probe-module';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('fault: database connections killed mid-request', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { modules: [...APP_MODULES, faultProbeModule] });
  });
  afterAll(() => server.stop());

  /** Terminates the backend running the probe's pg_sleep, as an operator or a failover would. */
  async function killSleepingBackend(): Promise<number> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const rows = await selectRows<{ pid: number }>(
        server,
        "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND pid <> pg_backend_pid()",
      );
      if (rows.length > 0) {
        await execute(server, 'SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        return rows[0]!.pid;
      }
      if (Date.now() > deadline) throw new Error('the probe never reached pg_sleep');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  test('when the connection dies mid-transaction, then 503 in the envelope, nothing half-written, and the pool recovers', async () => {
    const marker = randomUUID();
    const pending = request(server.url).post('/api/v1/_probe/write-then-wait').send({ marker, seconds: 5 });
    const [res] = await Promise.all([pending, killSleepingBackend()]);

    expect(res.status).toBe(503);
    expect(res.body.error).toEqual(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String), details: [] }),
    );
    expect(JSON.stringify(res.body)).not.toMatch(/pg_sleep|terminat|audit_events/i);
    expect(await selectRows(server, 'SELECT 1 FROM public.audit_events WHERE target_id = $1', [marker])).toEqual([]);

    // The pool replaced the dead connection: the next requests are served.
    const again = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(server.url).post('/api/v1/_probe/write-then-wait').send({ marker: randomUUID(), seconds: 0 }),
      ),
    );
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await request(server.url).get('/health/ready')).status).toBe(200);
  });
});
