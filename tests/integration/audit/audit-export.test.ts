import request from 'supertest';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

/** Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF rows) independently of the exporter. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('audit export and cursor pages', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    server = await startTestServer(smtp.env());
  });
  afterAll(async () => {
    await server.stop();
    await smtp.close();
  });

  async function team(name: string) {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, name);
    await switchTo(server, admin, ws.id);
    const [{ schema_name: schema }] = (await selectRows<{ schema_name: string }>(
      server,
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [ws.id],
    )) as [{ schema_name: string }];
    const get = (who: Account, path: string) =>
      request(server.url).get(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken));
    return { admin, ws: { id: ws.id, name }, schema, get };
  }

  /** Audit rows written straight into a trail, one second apart from the given start. */
  async function seed(table: string, start: Date, actions: string[], extra: Record<string, string> = {}) {
    for (const [i, action] of actions.entries()) {
      await execute(
        server,
        `INSERT INTO ${table} (at, action, target_type, target_id, metadata) VALUES ($1, $2, $3, $4, $5::jsonb)`,
        [new Date(start.getTime() + i * 1000), action, extra.targetType ?? 'test', extra.targetId ?? null, '{"n":1}'],
      );
    }
  }

  test('when an admin exports as NDJSON, then every event in [from, to) streams oldest first, and the export is audited', async () => {
    const { admin, schema, get } = await team('Export NDJSON');
    await seed(`"${schema}".audit_events`, new Date('2020-01-01T00:00:00Z'), ['test.one', 'test.two', 'test.three']);
    const res = await get(admin, '/audit-events/export?from=2020-01-01T00:00:01Z&to=2020-01-01T00:00:03Z').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="workspace-audit-\d{4}-\d{2}-\d{2}\.ndjson"$/,
    );
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; at: string });
    expect(lines.map((l) => l.action)).toEqual(['test.two', 'test.three']);
    expect(lines[0]!.at).toBe('2020-01-01T00:00:01.000000Z');

    const all = await get(admin, '/audit-events/export').buffer(true);
    const actions = all.text
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions.slice(0, 3)).toEqual(['test.one', 'test.two', 'test.three']);
    const trail = await get(admin, '/audit-events?action=audit.exported');
    expect(trail.body.data.length).toBeGreaterThanOrEqual(2);
  });

  test('when an admin exports as CSV, then cells that would be formulas are neutralised and the file parses back', async () => {
    const { admin, schema, get } = await team('Export CSV');
    await seed(`"${schema}".audit_events`, new Date('2021-01-01T00:00:00Z'), ['test.csv'], {
      targetType: '=HYPERLINK("http://evil.example","x")',
      targetId: '+cmd|"/c calc"!A1',
    });
    await seed(`"${schema}".audit_events`, new Date('2021-01-01T00:01:00Z'), ['test.csv2'], {
      targetType: '@SUM(1,2)',
      targetId: '-1, "quoted"\nline',
    });
    const res = await get(admin, '/audit-events/export?format=csv&to=2021-01-02T00:00:00Z').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual([
      'id',
      'at',
      'actorId',
      'action',
      'targetType',
      'targetId',
      'ip',
      'userAgent',
      'requestId',
      'metadata',
    ]);
    expect(rows.slice(1).map((r) => [r[3], r[4], r[5], r[9]])).toEqual([
      ['test.csv', `'=HYPERLINK("http://evil.example","x")`, `'+cmd|"/c calc"!A1`, '{"n":1}'],
      ['test.csv2', "'@SUM(1,2)", `'-1, "quoted"\nline`, '{"n":1}'],
    ]);
  });

  test('when the query is bad or the caller lacks audit.read, then 400 or 403 in the envelope', async () => {
    const { admin, ws, get } = await team('Export Guard');
    const member = await verifiedAccount(server);
    await inviteAndJoin(server, smtp, admin, ws, member, 'member');
    expect((await get(member, '/audit-events/export')).status).toBe(403);
    expectError(await get(admin, '/audit-events/export?format=xlsx'), 400, 'VALIDATION_ERROR');
    expectError(await get(admin, '/audit-events/export?from=yesterday'), 400, 'VALIDATION_ERROR');
    expectError(await get(admin, '/audit-events/export?limit=5'), 400, 'VALIDATION_ERROR');
  });

  test('when the workspace trail is paged by cursor, then pages follow each other without gaps or repeats, and an altered cursor is a 400', async () => {
    const { admin, schema, get } = await team('Audit Cursor');
    // Same second for several rows: the cursor must order ties by id and keep microseconds.
    for (let i = 0; i < 5; i++) {
      await execute(
        server,
        `INSERT INTO "${schema}".audit_events (at, action) VALUES ('2019-05-05T05:05:05.123456Z', 'test.tie')`,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const res = await get(
        admin,
        `/audit-events?action=test.tie&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...(res.body.data as { id: string }[]).map((e) => e.id));
      cursor = res.body.meta.nextCursor as string | null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    const first = await get(admin, '/audit-events?action=test.tie&limit=2');
    expect(first.body.meta).toMatchObject({ page: 1, limit: 2, total: 5, nextCursor: expect.any(String) });
    const altered = `${first.body.meta.nextCursor}x`;
    expectError(await get(admin, `/audit-events?cursor=${encodeURIComponent(altered)}`), 400, 'INVALID_CURSOR');
    expectError(
      await get(admin, `/audit-events?cursor=${encodeURIComponent(first.body.meta.nextCursor)}&page=2`),
      400,
      'VALIDATION_ERROR',
    );
  });

  test('when a platform admin reads and exports the platform log, then it is paged by cursor and streamed; others get 403', async () => {
    const root = await verifiedAccount(server);
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [root.user.id],
    );
    await seed('public.audit_events', new Date('2018-03-03T00:00:00Z'), [
      'platform.test_a',
      'platform.test_b',
      'platform.test_c',
    ]);
    const page1 = await request(server.url)
      .get(`${API}/admin/audit-events?limit=2&action=platform.test_a`)
      .set(bearer(root.accessToken));
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(1);
    expect(page1.body.meta).toEqual({ limit: 2, nextCursor: null });
    const older = await request(server.url)
      .get(`${API}/admin/audit-events?limit=2&to=2018-03-04T00:00:00Z`)
      .set(bearer(root.accessToken));
    expect(older.body.data.map((e: { action: string }) => e.action)).toEqual(['platform.test_c', 'platform.test_b']);
    const next = await request(server.url)
      .get(
        `${API}/admin/audit-events?limit=2&to=2018-03-04T00:00:00Z&cursor=${encodeURIComponent(older.body.meta.nextCursor)}`,
      )
      .set(bearer(root.accessToken));
    expect(next.body.data.map((e: { action: string }) => e.action)).toEqual(['platform.test_a']);

    const csv = await request(server.url)
      .get(`${API}/admin/audit-events/export?format=csv&from=2018-03-03T00:00:00Z&to=2018-03-04T00:00:00Z`)
      .set(bearer(root.accessToken))
      .buffer(true);
    expect(csv.status).toBe(200);
    expect(
      parseCsv(csv.text)
        .slice(1)
        .map((r) => r[3]),
    ).toEqual(['platform.test_a', 'platform.test_b', 'platform.test_c']);

    const someone = await verifiedAccount(server);
    expect((await request(server.url).get(`${API}/admin/audit-events`).set(bearer(someone.accessToken))).status).toBe(
      403,
    );
    expect(
      (await request(server.url).get(`${API}/admin/audit-events/export`).set(bearer(someone.accessToken))).status,
    ).toBe(403);
    const audited = await selectRows(
      server,
      "SELECT 1 FROM public.audit_events WHERE action = 'platform.audit.exported' AND actor_id = $1",
      [root.user.id],
    );
    expect(audited).toHaveLength(1);
  });
});
