import { randomUUID } from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import { OTHER_STRONG_PASSWORD, API, bearer, expectError, login, refresh, register } from '../../support/auth-helpers';
import { startOidcProvider, type TestOidcProvider } from '../../support/oidc-provider';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../../support/workspace-helpers';
import { TXT_RESOLVER } from '../../../src/modules/sso/application/tokens';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A browser, as far as a redirect flow needs one: follows redirects and keeps each origin's cookies. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async follow(start: string, stopAt: string): Promise<{ url: string; status: number; body: unknown }> {
    let url = start;
    for (let hop = 0; hop < 15; hop += 1) {
      if (url.startsWith(stopAt)) {
        const res = await fetch(url, { redirect: 'manual' });
        return { url, status: res.status, body: await res.json() };
      }
      const { origin } = new URL(url);
      const jar = this.jars.get(origin) ?? new Map<string, string>();
      this.jars.set(origin, jar);
      const res = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const cookie of res.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const at = pair!.indexOf('=');
        const [name, value] = [pair!.slice(0, at).trim(), pair!.slice(at + 1).trim()];
        if (value) jar.set(name, value);
        else jar.delete(name);
      }
      const location = res.headers.get('location');
      if (!location || res.status < 300 || res.status >= 400) {
        throw new Error(`the flow stopped at ${url} with ${res.status}: ${await res.text()}`);
      }
      url = new URL(location, url).toString();
    }
    throw new Error('too many redirects');
  }
}

describe('OIDC single sign-on', () => {
  let server: TestServer;
  let op: TestOidcProvider;
  let callbackUrl: string;
  const txt = new Map<string, string[]>();

  beforeAll(async () => {
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}${API}/auth/sso/callback`;
    op = await startOidcProvider(callbackUrl);
    server = await startTestServer(
      { PORT: String(port), SSO_CALLBACK_URL: callbackUrl },
      { configure: (c) => c.set(TXT_RESOLVER, { resolveTxt: async (name: string) => txt.get(name) ?? [] }) },
    );
  });
  afterAll(async () => {
    await server.stop();
    await op.close();
  });

  const api = (token: string) => ({
    get: (path: string) => request(server.url).get(`${API}${path}`).set(bearer(token)),
    put: (path: string, body: object) => request(server.url).put(`${API}${path}`).set(bearer(token)).send(body),
    post: (path: string, body: object = {}) => request(server.url).post(`${API}${path}`).set(bearer(token)).send(body),
  });

  /** A workspace whose admin configured the test provider and verified a fresh domain through DNS. */
  async function ssoWorkspace(options: { requireSso?: boolean; defaultRole?: string } = {}) {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Acme SSO');
    await switchTo(server, admin, ws.id);
    const domain = `acme-${randomUUID().slice(0, 8)}.test`;
    const configured = await api(admin.accessToken).put(`/workspaces/${ws.id}/sso`, {
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      defaultRole: options.defaultRole ?? 'viewer',
      requireSso: options.requireSso ?? true,
    });
    expect(configured.status).toBe(200);
    const claimed = await api(admin.accessToken).post(`/workspaces/${ws.id}/sso/domains`, { domain });
    expect(claimed.status).toBe(201);
    txt.set(claimed.body.data.txtRecord.name, ['unrelated', claimed.body.data.txtRecord.value]);
    const verified = await api(admin.accessToken).post(`/workspaces/${ws.id}/sso/domains/${domain}/verify`);
    expect(verified.body.data).toEqual(expect.objectContaining({ domain, verified: true }));
    return { admin, ws, domain };
  }

  async function signIn(email: string, account: Partial<{ emailVerified: boolean; sub: string }> = {}) {
    const started = await request(server.url).post(`${API}/auth/sso/start`).send({ email });
    if (started.status !== 200) return { status: started.status, body: started.body as unknown, url: '' };
    op.signInAs({
      sub: account.sub ?? randomUUID(),
      email,
      emailVerified: account.emailVerified ?? true,
      name: 'Grace SSO',
    });
    return new Browser().follow(started.body.data.authorizationUrl, callbackUrl);
  }

  test('when a person of a verified domain signs in through the provider, then they join with the default role', async () => {
    const { ws, domain } = await ssoWorkspace();
    const email = `grace@${domain}`;

    const result = await signIn(email);

    expect(result.status).toBe(200);
    const data = (result.body as { data: { accessToken: string; workspaceId: string; user: { email: string } } }).data;
    expect(data).toEqual(expect.objectContaining({ workspaceId: ws.id, user: expect.objectContaining({ email }) }));
    const mine = await api(data.accessToken).get('/me/permissions');
    expect(mine.body.data.permissions).toEqual(['members.read', 'notifications.read', 'roles.read', 'users.read']);
    const members = await api(data.accessToken).get(`/workspaces/${ws.id}/members`);
    expect(members.body.data.map((m: { email: string }) => m.email)).toContain(email);
    const [user] = await selectRows<{ status: string; email_verified_at: Date | null }>(
      server,
      'SELECT status, email_verified_at FROM public.users WHERE email = $1',
      [email],
    );
    expect(user).toEqual({ status: 'active', email_verified_at: expect.any(Date) });
  });

  test('when SSO is required, then a password sign-in of that domain is refused with SSO_REQUIRED', async () => {
    const { domain } = await ssoWorkspace({ requireSso: true });
    const email = `ada@${domain}`;
    await register(server.url, { email, password: OTHER_STRONG_PASSWORD });

    const res = await request(server.url).post(`${API}/auth/login`).send({ email, password: OTHER_STRONG_PASSWORD });

    expectError(res, 403, 'SSO_REQUIRED');
    // The account exists already: SSO links it by its (now provider-vouched) email and adds the membership.
    expect((await signIn(email)).status).toBe(200);
  });

  test('when SSO is optional, then password sign-in still works for the domain', async () => {
    const { domain } = await ssoWorkspace({ requireSso: false });
    const email = `opt@${domain}`;
    await register(server.url, { email, password: OTHER_STRONG_PASSWORD });
    await execute(server, "UPDATE public.users SET email_verified_at = now(), status = 'active' WHERE email = $1", [
      email,
    ]);

    const res = await request(server.url).post(`${API}/auth/login`).send({ email, password: OTHER_STRONG_PASSWORD });

    expect(res.status).toBe(200);
  });

  test('when an unproven account of the address exists, then SSO takes it over: its password and sessions end', async () => {
    const { domain } = await ssoWorkspace({ requireSso: false });
    const email = `victim@${domain}`;
    // Someone registered the address before its owner, without ever proving it.
    await register(server.url, { email, password: OTHER_STRONG_PASSWORD });
    const squatter = await login(server.url, email, OTHER_STRONG_PASSWORD);

    expect((await signIn(email)).status).toBe(200);

    expectError(
      await request(server.url).post(`${API}/auth/login`).send({ email, password: OTHER_STRONG_PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    expect((await refresh(server.url, squatter.refreshToken!)).status).toBe(401);
  });

  test('when the callback is replayed or its state forged, then it is refused', async () => {
    const { domain } = await ssoWorkspace();
    const first = await signIn(`replay@${domain}`);
    expect(first.status).toBe(200);

    const replay = await request(first.url.replace(/^http:\/\/[^/]+/, server.url)).get('');
    const forged = await request(server.url).get(`${API}/auth/sso/callback?code=abc&state=${randomUUID()}`);

    expectError(replay, 401, 'SSO_STATE_INVALID');
    expectError(forged, 401, 'SSO_STATE_INVALID');
  });

  test('when the provider does not vouch for the email, or it is outside the verified domains, then it is refused', async () => {
    const { domain } = await ssoWorkspace();

    const unverified = await signIn(`nov@${domain}`, { emailVerified: false });

    expect(unverified).toEqual(expect.objectContaining({ status: 401 }));
    expect((unverified.body as { error: { code: string } }).error.code).toBe('SSO_EMAIL_UNVERIFIED');
    const [row] = await selectRows<{ count: string }>(server, 'SELECT count(*) FROM public.users WHERE email = $1', [
      `nov@${domain}`,
    ]);
    expect(row!.count).toBe('0');
  });

  test('when an address has no verified domain, then there is nothing to start', async () => {
    const res = await request(server.url).post(`${API}/auth/sso/start`).send({ email: 'x@unclaimed.test' });
    expectError(res, 404, 'SSO_NOT_CONFIGURED');
  });

  test('when the TXT record is missing, then the domain stays unverified; another workspace cannot take a verified domain', async () => {
    const { domain } = await ssoWorkspace();
    const other: Account = await verifiedAccount(server);
    const ws = await createWorkspace(server, other, 'Rival');
    await switchTo(server, other, ws.id);
    const fresh = `fresh-${randomUUID().slice(0, 8)}.test`;
    await api(other.accessToken).post(`/workspaces/${ws.id}/sso/domains`, { domain: fresh });

    expectError(
      await api(other.accessToken).post(`/workspaces/${ws.id}/sso/domains/${fresh}/verify`),
      422,
      'SSO_DOMAIN_NOT_VERIFIED',
    );
    const rival = await api(other.accessToken).post(`/workspaces/${ws.id}/sso/domains`, { domain });
    txt.set(rival.body.data.txtRecord.name, [rival.body.data.txtRecord.value]);
    expectError(
      await api(other.accessToken).post(`/workspaces/${ws.id}/sso/domains/${domain}/verify`),
      409,
      'SSO_DOMAIN_TAKEN',
    );
  });

  test('when the provider cannot be reached, then starting answers 503 and nothing is half-started', async () => {
    const { admin, ws, domain } = await ssoWorkspace();
    await api(admin.accessToken).put(`/workspaces/${ws.id}/sso`, {
      issuer: 'http://127.0.0.1:9/unreachable',
      clientId: op.clientId,
    });

    const res = await request(server.url)
      .post(`${API}/auth/sso/start`)
      .send({ email: `down@${domain}` });

    expectError(res, 503, 'SSO_PROVIDER_UNAVAILABLE');
  });

  test('when the configuration is read, then the client secret is neither returned nor stored in clear', async () => {
    const { admin, ws } = await ssoWorkspace();

    const res = await api(admin.accessToken).get(`/workspaces/${ws.id}/sso`);

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(expect.objectContaining({ issuer: op.issuer, hasClientSecret: true, callbackUrl }));
    expect(JSON.stringify(res.body)).not.toContain(op.clientSecret);
    const [row] = await selectRows<{ client_secret_sealed: string }>(
      server,
      'SELECT client_secret_sealed FROM public.sso_connections WHERE workspace_id = $1',
      [ws.id],
    );
    expect(row!.client_secret_sealed).not.toContain(op.clientSecret);
    expectError(
      await api(admin.accessToken).put(`/workspaces/${ws.id}/sso`, { issuer: op.issuer, clientId: 'x', extra: 1 }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await api(admin.accessToken).put(`/workspaces/${ws.id}/sso`, {
        issuer: op.issuer,
        clientId: 'x',
        defaultRole: 'nope',
      }),
      422,
      'ROLE_NOT_FOUND',
    );
  });
});
