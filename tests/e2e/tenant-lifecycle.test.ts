import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Client } from 'pg';
import request from 'supertest';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { API, bearer, mailsTo, OTHER_STRONG_PASSWORD, RESET_SUBJECT } from '../support/auth-helpers';
import { scratchDatabase, type ScratchDatabase } from '../support/databases';
import { runScript, tenantMigrationsWith } from '../support/processes';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../support/smtp-receiver';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, inviteAndJoin, switchTo, verifiedAccount, type Account } from '../support/workspace-helpers';

const SECRETS = {
  JWT_SECRET: 'lifecycle-test-jwt-secret-0123456789abcdef',
  REFRESH_TOKEN_SECRET: 'lifecycle-test-refresh-secret-0123456789ab',
  DATA_ENCRYPTION_KEY: 'shared-test-data-encryption-key-0123456789',
};

/** Every row of every table of a tenant schema (and the directory rows), as sorted JSON, to compare databases. */
async function snapshot(url: string, workspaceId: string, schema = `tenant_${workspaceId.replace(/-/g, '')}`) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (
      await c.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations' ORDER BY 1",
        [schema],
      )
    ).rows.map((r) => r.t);
    const rows: Record<string, string[]> = {};
    for (const t of tables) {
      const { rows: found } = await c.query<{ j: string }>(
        `SELECT row_to_json(x)::text AS j FROM "${schema}"."${t}" x`,
      );
      rows[t] = found.map((r) => r.j).sort();
    }
    const one = async (sql: string) => (await c.query<{ j: string }>(sql, [workspaceId])).rows.map((r) => r.j).sort();
    return {
      tables: rows,
      workspace: await one(
        "SELECT json_build_object('name', name, 'slug', slug, 'status', status, 'settings', settings, 'owner', owner_id)::text AS j FROM public.workspaces WHERE id = $1",
      ),
      memberships: await one(
        "SELECT json_build_object('user', user_id, 'status', status, 'joined', joined_at)::text AS j FROM public.workspace_memberships WHERE workspace_id = $1",
      ),
      people: await one(
        `SELECT json_build_object('id', u.id, 'email', u.email, 'name', u.name)::text AS j FROM public.users u
         WHERE u.id IN (SELECT user_id FROM public.workspace_memberships WHERE workspace_id = $1)`,
      ),
    };
  } finally {
    await c.end();
  }
}

/** Rewrites an archive entry by entry (tests make broken archives with it). */
async function rewrite(from: string, to: string, change: (name: string, body: Buffer) => Buffer | null): Promise<void> {
  const extract = tarExtract();
  const pack = tarPack();
  const written = pipeline(pack, zlib.createGzip(), fs.createWriteStream(to));
  const reading = pipeline(fs.createReadStream(from), zlib.createGunzip(), extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const body = change(entry.header.name, Buffer.concat(chunks));
    if (body)
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: entry.header.name, size: body.length }, body, (e) => (e ? reject(e) : resolve())),
      );
  }
  await reading;
  pack.finalize();
  await written;
}

describe('tenant lifecycle: export, import, clone, purge', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  let dir: string;
  let admin: Account;
  let member: Account;
  let ws: { id: string; name: string };
  const fresh: ScratchDatabase[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-archives-'));
    receiver = await startSmtpReceiver();
    server = await startTestServer({ ...SECRETS, ...receiver.env() });
    // A workspace with members, a custom role, a pending invitation, notifications and audit events.
    admin = await verifiedAccount(server);
    const name = `Lifecycle ${randomUUID().slice(0, 6)}`;
    const created = await createWorkspace(server, admin, name);
    ws = { id: created.id, name };
    await switchTo(server, admin, ws.id);
    const role = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'editor', description: 'Edits things', permissions: ['users.read', 'members.read'] });
    expect(role.status).toBe(201);
    member = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, ws, member, 'member');
    const assigned = await request(server.url)
      .put(`${API}/workspaces/${ws.id}/members/${member.user.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ roles: ['member', 'editor'] });
    expect(assigned.status).toBe(200);
    const pending = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/members/invite`)
      .set(bearer(admin.accessToken))
      .send({ email: `pending-${randomUUID()}@example.com`, role: 'viewer' });
    expect(pending.status).toBe(202);
    await server.container.get(TOKENS.jobs).settled();
  }, 120_000);

  afterAll(async () => {
    await server.stop();
    await receiver.close();
    for (const db of fresh) await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function exportTo(file: string, env: Record<string, string> = {}) {
    const run = await runScript('tenant-export', [ws.id, '--out', file, '--report', `${file}.json`], {
      ...SECRETS,
      ...env,
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('exported') });
    return JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as {
      rows: Record<string, number>;
      tenantVersion: string;
    };
  }

  test('when a workspace is exported and imported into a fresh database, then every table holds the same rows and the API serves the same data to the same users', async () => {
    const file = path.join(dir, 'fresh.tar.gz');
    const report = await exportTo(file);
    expect(report.rows['tenant/members']).toBe(2);
    expect(report.rows['tenant/invitations']).toBe(2);
    expect(report.rows['tenant/audit_events']).toBeGreaterThan(3);
    expect(report.rows['tenant/notifications']).toBeGreaterThan(0);
    // No secret of the people leaves with the archive.
    const archive = zlib.gunzipSync(fs.readFileSync(file)).toString('latin1');
    expect(archive).not.toMatch(/\$2[aby]\$/);
    expect(archive).not.toContain(admin.accessToken);

    const target = await scratchDatabase();
    fresh.push(target);
    const imported = await runScript('tenant-import', ['--in', file, '--report', `${file}.import.json`], {
      ...SECRETS,
      DATABASE_URL: target.url,
    });
    expect({ code: imported.code, stderr: imported.stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining('imported'),
    });
    const importReport = JSON.parse(fs.readFileSync(`${file}.import.json`, 'utf8'));
    expect(importReport.accounts).toEqual({ matched: 0, created: 2, remapped: 0 });

    expect(await snapshot(target.url, ws.id)).toEqual(await snapshot(process.env.DATABASE_URL!, ws.id));

    // The same people, in the new database, see the same workspace once they set a password.
    const there = await startTestServer({ ...SECRETS, ...receiver.env(), DATABASE_URL: target.url });
    try {
      const forgot = await request(there.url).post(`${API}/auth/forgot-password`).send({ email: admin.email });
      expect(forgot.status).toBe(202);
      const mails = () => mailsTo(receiver, admin.email).filter((m) => m.subject === RESET_SUBJECT);
      const token = tokenFrom(await receiver.waitForMail(mailTo(admin.email, RESET_SUBJECT), 10_000), 'reset-password');
      expect(mails()).toHaveLength(1);
      const reset = await request(there.url)
        .post(`${API}/auth/reset-password`)
        .send({ token, password: OTHER_STRONG_PASSWORD });
      expect(reset.status).toBe(204);
      const login = await request(there.url)
        .post(`${API}/auth/login`)
        .send({ email: admin.email, password: OTHER_STRONG_PASSWORD });
      expect(login.status).toBe(200);
      const there_admin = {
        ...admin,
        accessToken: login.body.data.accessToken,
        refreshToken: login.body.data.refreshToken,
      };
      await switchTo(there, there_admin, ws.id);
      for (const route of ['/users?limit=50', `/workspaces/${ws.id}/members`, `/workspaces/${ws.id}/roles`]) {
        const [a, b] = await Promise.all([
          request(server.url).get(`${API}${route}`).set(bearer(admin.accessToken)),
          request(there.url).get(`${API}${route}`).set(bearer(there_admin.accessToken)),
        ]);
        expect({ route, status: b.status, body: strip(b.body) }).toEqual({
          route,
          status: a.status,
          body: strip(a.body),
        });
      }
    } finally {
      await there.stop();
    }
  }, 120_000);

  test('when a workspace is cloned, then the copy holds the same rows under a new id and slug, its pending invitations are revoked, and its members can work in it', async () => {
    const run = await runScript(
      'tenant-clone',
      [ws.id, '--name', 'Lifecycle Copy', '--report', path.join(dir, 'clone.json')],
      SECRETS,
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('cloned') });
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'clone.json'), 'utf8'));
    const copyId: string = report.workspace.id;
    expect(copyId).not.toBe(ws.id);
    expect(report.workspace.slug).toMatch(/-copy(-\d+)?$/);

    const [original, copy] = [
      await snapshot(process.env.DATABASE_URL!, ws.id),
      await snapshot(process.env.DATABASE_URL!, copyId),
    ];
    const { invitations: originalInvitations, ...originalRest } = original.tables;
    const { invitations: copiedInvitations, ...copyRest } = copy.tables;
    expect(copyRest).toEqual(originalRest);
    expect(copy.memberships).toEqual(original.memberships);
    const pending = (rows: string[]) => rows.map((r) => JSON.parse(r)).filter((i) => !i.accepted_at && !i.revoked_at);
    expect(pending(originalInvitations!)).toHaveLength(1);
    expect(pending(copiedInvitations!)).toEqual([]);

    await switchTo(server, member, copyId);
    const roles = await request(server.url).get(`${API}/workspaces/${copyId}/members`).set(bearer(member.accessToken));
    expect(roles.status).toBe(200);
    expect(roles.body.data.find((m: { userId: string }) => m.userId === member.user.id).roles).toEqual([
      'editor',
      'member',
    ]);
    await switchTo(server, member, ws.id);
  }, 60_000);

  test('when an archive is tampered with, comes from a newer release, or restores an id that exists, then it is refused and nothing is left behind', async () => {
    const file = path.join(dir, 'refusals.tar.gz');
    await exportTo(file);
    const target = await scratchDatabase();
    fresh.push(target);

    const tampered = path.join(dir, 'tampered.tar.gz');
    await rewrite(file, tampered, (name, body) =>
      name.startsWith('data/tenant/roles/') ? Buffer.from(body.toString().replace('editor', 'EDITOR')) : body,
    );
    const bad = await runScript('tenant-import', ['--in', tampered], { ...SECRETS, DATABASE_URL: target.url });
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('tenant/roles does not match the manifest'),
    });

    const future = path.join(dir, 'future.tar.gz');
    await rewrite(file, future, (name, body) => {
      if (name !== 'header.json') return body;
      const header = JSON.parse(body.toString());
      return Buffer.from(JSON.stringify({ ...header, tenantVersion: '29991231000000-from-the-future' }));
    });
    const newer = await runScript('tenant-import', ['--in', future], { ...SECRETS, DATABASE_URL: target.url });
    expect({ code: newer.code, stderr: newer.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('is newer than this release'),
    });

    const truncated = path.join(dir, 'truncated.tar.gz');
    await rewrite(file, truncated, (name, body) => (name === 'manifest.json' ? null : body));
    const cut = await runScript('tenant-import', ['--in', truncated], { ...SECRETS, DATABASE_URL: target.url });
    expect({ code: cut.code, stderr: cut.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('ends without its manifest'),
    });

    /** What an import can leave in a database: its tenant schemas, directory rows and accounts. */
    const contents = async (url: string) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        const { rows } = await c.query<{
          schemas: string[] | null;
          workspaces: string[] | null;
          users: string[] | null;
        }>(
          `SELECT (SELECT array_agg(nspname::text ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%') AS schemas,
                  (SELECT array_agg(id::text ORDER BY id) FROM public.workspaces) AS workspaces,
                  (SELECT array_agg(id::text ORDER BY id) FROM public.users) AS users`,
        );
        return rows[0]!;
      } finally {
        await c.end();
      }
    };
    expect(await contents(target.url)).toEqual({ schemas: null, workspaces: null, users: null });

    // Restoring an id that exists, where the workspace lives: refused, and its rows are as they were.
    // (Other suites add tenants to this database meanwhile, so its schema list cannot be compared.)
    const live = await snapshot(process.env.DATABASE_URL!, ws.id);
    const again = await runScript('tenant-import', ['--in', file], SECRETS);
    expect({ code: again.code, stderr: again.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('exists here'),
    });
    expect(await snapshot(process.env.DATABASE_URL!, ws.id)).toEqual(live);

    // The same where only this test writes: once imported, a second import adds no schema, row or account.
    const restored = await runScript('tenant-import', ['--in', file], { ...SECRETS, DATABASE_URL: target.url });
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining('imported'),
    });
    const imported = await contents(target.url);
    expect(imported.schemas).toEqual([`tenant_${ws.id.replace(/-/g, '')}`]);
    const twice = await runScript('tenant-import', ['--in', file], { ...SECRETS, DATABASE_URL: target.url });
    expect({ code: twice.code, stderr: twice.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('exists here'),
    });
    expect(await contents(target.url)).toEqual(imported);
  }, 90_000);

  test('when an archive from an older release is imported, then the workspace is migrated forward, and an account that exists under another id is matched by email', async () => {
    const file = path.join(dir, 'older.tar.gz');
    await exportTo(file);
    const target = await scratchDatabase();
    fresh.push(target);
    // The member already has an account in the target database, under another id.
    const c = new Client({ connectionString: target.url });
    await c.connect();
    const existing = randomUUID();
    await c.query(
      "INSERT INTO public.users (id, email, password_hash, name, status) VALUES ($1, $2, 'x', 'Already Here', 'active')",
      [existing, member.email],
    );
    const newer = tenantMigrationsWith({
      '29990101000000-extra.js':
        "exports.up = async ({ context: { query } }) => { await query('ALTER TABLE members ADD COLUMN title text'); };\n",
    });
    const run = await runScript('tenant-import', ['--in', file, '--report', `${file}.json`], {
      ...SECRETS,
      DATABASE_URL: target.url,
      TENANT_MIGRATIONS_DIR: newer,
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('imported') });
    const report = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
    expect(report.migratedForward).toEqual(['29990101000000-extra']);
    expect(report.accounts).toEqual({ matched: 1, created: 1, remapped: 1 });
    const schema = `tenant_${ws.id.replace(/-/g, '')}`;
    const members = await c.query(`SELECT user_id FROM "${schema}".members ORDER BY user_id`);
    const roles = await c.query(`SELECT DISTINCT user_id FROM "${schema}".member_roles`);
    const version = await c.query('SELECT schema_version FROM public.workspaces WHERE id = $1', [ws.id]);
    await c.end();
    fs.rmSync(newer, { recursive: true, force: true });
    expect(members.rows.map((r) => r.user_id)).toEqual([admin.user.id, existing].sort());
    expect(roles.rows.map((r) => r.user_id)).toContain(existing);
    expect(roles.rows.map((r) => r.user_id)).not.toContain(member.user.id);
    expect(version.rows[0].schema_version).toBe('29990101000000-extra');
  }, 90_000);

  test('when a deleted workspace is purged, then its schema, rows and traces are gone and the receipt says so; a live one is refused', async () => {
    const owner = await verifiedAccount(server);
    const doomed = await createWorkspace(server, owner, `Doomed ${randomUUID().slice(0, 6)}`);
    await switchTo(server, owner, doomed.id);
    // Someone who works elsewhere is invited: their home workspace gets a notification naming this one.
    const elsewhere = await verifiedAccount(server);
    const home = await createWorkspace(server, elsewhere, `Home ${randomUUID().slice(0, 6)}`);
    await switchTo(server, elsewhere, home.id);
    const invited = await request(server.url)
      .post(`${API}/workspaces/${doomed.id}/members/invite`)
      .set(bearer(owner.accessToken))
      .send({ email: elsewhere.email, role: 'member' });
    expect(invited.status).toBe(202);
    await server.container.get(TOKENS.jobs).settled();
    const homeSchema = `tenant_${home.id.replace(/-/g, '')}`;
    const naming = () =>
      selectRows(server, `SELECT title FROM "${homeSchema}".notifications WHERE data->>'workspaceId' = $1`, [
        doomed.id,
      ]);
    expect(await naming()).toHaveLength(1);

    const live = await runScript('tenant-purge', [doomed.id, '--yes'], SECRETS);
    expect({ code: live.code, stderr: live.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('Only a deleted workspace can be purged'),
    });

    const deleted = await request(server.url).delete(`${API}/workspaces/${doomed.id}`).set(bearer(owner.accessToken));
    expect(deleted.status).toBe(204);
    const run = await runScript('tenant-purge', [doomed.id, '--yes'], SECRETS);
    expect(run.code).toBe(0);
    const receipt = JSON.parse(run.stdout);
    expect(receipt).toMatchObject({
      workspace: { id: doomed.id },
      removed: { directoryRow: 1, memberships: 1, tenantRows: expect.objectContaining({ members: 1, invitations: 1 }) },
      redacted: { notificationsElsewhere: 1, platformAuditEvents: expect.any(Number) },
    });
    expect(receipt.redacted.platformAuditEvents).toBeGreaterThan(0);

    expect(await selectRows(server, 'SELECT 1 FROM public.workspaces WHERE id = $1', [doomed.id])).toEqual([]);
    expect(
      await selectRows(server, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [
        `tenant_${doomed.id.replace(/-/g, '')}`,
      ]),
    ).toEqual([]);
    expect(await naming()).toEqual([]);
    const audit = await selectRows<{ metadata: unknown; ip: string | null }>(
      server,
      "SELECT metadata, ip FROM public.audit_events WHERE target_type = 'workspace' AND target_id = $1 AND action <> 'workspace.purged'",
      [doomed.id],
    );
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((a) => JSON.stringify(a.metadata) === '{"redacted":"workspace purged"}' && a.ip === null)).toBe(
      true,
    );
  }, 60_000);
});

/**
 * Responses minus what differs by design: request ids, sign-in times, and account status (an
 * import creates the accounts it does not find as unverified: they prove their address again).
 */
function strip(body: unknown): unknown {
  const differs = new Set(['requestId', 'lastLoginAt', 'status']);
  return JSON.parse(JSON.stringify(body, (key, value) => (differs.has(key) ? undefined : value)));
}
