import { randomUUID } from 'node:crypto';
import querystring from 'node:querystring';
import fc from 'fast-check';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import type { RouteSpec } from '../../../src/core/http/route';
import { z } from '../../../src/core/http/zod';
import { API, bearer } from '../../support/auth-helpers';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../../support/workspace-helpers';

/**
 * Hostile input against every mounted route: hand-written payloads, then fast-check generated
 * bodies and query strings. Whatever comes in, the API answers below 500, refusals use the error
 * envelope, and no stack frame, SQL, ORM name, hash or file path ever reaches the client.
 *
 * A larger run: FUZZ_RUNS=500 npx jest tests/integration/fuzz --selectProjects integration
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const BIG = RUNS > 50;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const CONCURRENCY = 8;
/** Time for a property test: 2 min in CI, scaled up for a large FUZZ_RUNS. */
const PROPERTY_TIMEOUT = Math.max(120_000, RUNS * 2_000);

/** Calls that would end the caller's session or workspace when valid: a case they accept is not sent. */
const DESTRUCTIVE = new Set(['post /auth/logout', 'delete /workspaces/:workspaceId']);

const FORBIDDEN: Array<[string, RegExp]> = [
  ['stack frame', /\n\s+at /],
  ['SELECT', /SELECT /],
  ['INSERT', /INSERT /],
  ['sequelize', /sequelize/i],
  ['bcrypt hash', /\$2b\$/],
  ['password_hash', /password_hash/],
  ['node_modules', /node_modules/],
];

const LONG = 'x'.repeat(100_000);
const deep = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const DEEP = deep(200);

/** Values put into every declared body field, one at a time and all at once. */
const HOSTILE_VALUES: Array<[string, unknown]> = [
  ['100k string', LONG],
  ['control chars', 'a\u0000b\u0001c\u001b[31m\u007f\r\n'],
  ['lone surrogate', '\ud800'],
  ['lone low surrogate', 'x\udfffy'],
  ['sql or', "' OR 1=1 --"],
  ['sql drop', "'; DROP TABLE users; --"],
  ['operator', { $gt: '' }],
  ['deep object', DEEP],
  ['array', ['a', 1, null]],
  ['number', 1e308],
  ['negative', -1],
  ['null', null],
  ['boolean', true],
  ['empty string', ''],
  ['proto object', JSON.parse('{"__proto__":{"admin":true}}')],
];

/** Whole bodies sent as raw JSON text (so `__proto__` stays a plain key). */
const RAW_JSON_BODIES: Array<[string, string]> = [
  ['array body', '[]'],
  ['array of object body', '[{}]'],
  ['string body', '"a string"'],
  ['number body', '42'],
  ['null body', 'null'],
  ['true body', 'true'],
  ['__proto__ body', '{"__proto__": {"admin": true}}'],
  ['constructor.prototype body', '{"constructor": {"prototype": {"x": 1}}}'],
  ['prototype body', '{"prototype": {"x": 1}, "__proto__": null}'],
  ['unknown extra key', '{"unknownExtraKey": 1, "isAdmin": true, "role": "owner"}'],
  ['operator body', '{"$gt": "", "$where": "sleep(1000)"}'],
  ['deep body', JSON.stringify(DEEP)],
  ['deep array body', '['.repeat(200) + ']'.repeat(200)],
  ['duplicate keys', '{"a": 1, "a": 2}'],
  ['escaped lone surrogate', '{"name": "\\ud800", "email": "\\udfff@x.y"}'],
];

const MALFORMED: Array<[string, string, string]> = [
  ['truncated json', 'application/json', '{"name": '],
  ['lone brace', 'application/json', '{'],
  ['trailing comma', 'application/json', '{"a": 1,}'],
  ['single quotes', 'application/json', "{'a': 1}"],
  ['NUL byte', 'application/json', '\u0000'],
  ['undefined literal', 'application/json', 'undefined'],
  ['NaN literal', 'application/json', '{"a": NaN}'],
  ['bad escape', 'application/json', '{"a": "\\x41"}'],
  ['empty json', 'application/json', ''],
  ['utf-16 charset', 'application/json; charset=utf-16', '{"a": 1}'],
  ['unknown charset', 'application/json; charset=klingon', '{"a": 1}'],
  ['text/plain json', 'text/plain', '{"name": "x"}'],
  ['form urlencoded', 'application/x-www-form-urlencoded', 'name=x&__proto__[admin]=true'],
  ['xml', 'application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
  ['bogus type', 'application/x-evil', '\u0000\u0001'],
  ['over body limit', 'application/json', `{"a": "${'y'.repeat(1_100_000)}"}`],
];

const PARAM_VALUES: Array<[string, string]> = [
  ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['not a uuid', 'not-a-uuid'],
  ['almost uuid', '00000000-0000-0000-0000-00000000000g'],
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['long segment', 'a'.repeat(5_000)],
  ['sql', encodeURIComponent("' OR 1=1 --")],
  ['NUL', '%00'],
  ['bad percent', '%E0%A4%A'],
  ['lone percent', '%'],
  ['invalid utf8', '%ff%fe'],
  ['encoded surrogate', '%ED%A0%80'],
];

const QUERIES: Array<[string, string]> = [
  ['negative page', 'page=-1'],
  ['zero page', 'page=0'],
  ['huge page', 'page=99999999999999999999'],
  ['exp page', 'page=1e9'],
  ['negative limit', 'limit=-1'],
  ['zero limit', 'limit=0'],
  ['huge limit', 'limit=99999999999999999999'],
  ['exp limit', 'limit=1e9'],
  ['float limit', 'limit=1.5'],
  ['hex limit', 'limit=0x10'],
  ['NaN limit', 'limit=NaN'],
  ['Infinity limit', 'limit=Infinity'],
  ['blank limit', 'limit=%20'],
  ['repeated limit', 'limit=1&limit=2'],
  ['repeated page', 'page=1&page=2'],
  ['sort password_hash', 'sort=password_hash'],
  ['sort injection', 'sort=name;DROP'],
  ['order injection', 'order=asc;DROP%20TABLE%20users'],
  ['repeated sort', 'sort=name&sort=email'],
  ['unknown key', 'unknownKey=1'],
  ['bracket key', 'page[$gt]=&limit[]=1'],
  ['proto key', '__proto__=x&constructor=y'],
  ['repeated scope', 'scope=platform&scope=platform'],
  ['q NUL', 'q=%00'],
  ['q long', `q=${'q'.repeat(5_000)}`],
  ['q sql', `q=${encodeURIComponent("' OR 1=1 --")}`],
  ['q like wildcards', 'q=%25%5F%5C'],
  ['status injection', "status=active'--"],
  ['unread bogus', 'unread=yes'],
  ['bad percent', 'q=%E0%A4%A'],
];

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | FormData;
}
interface Answer {
  status: number;
  text: string;
}

type Caller = 'admin' | 'platform';

describe('hostile input on every route', () => {
  let server: TestServer;
  let admin: Account;
  let platform: Account;
  let workspaceId: string;
  let tenantSchema: string;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await verifiedAccount(server);
    workspaceId = (await createWorkspace(server, admin, 'Fuzz Co')).id;
    await switchTo(server, admin, workspaceId);
    platform = await verifiedAccount(server);
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [platform.user.id],
    );
    const [row] = await selectRows<{ schema_name: string }>(
      server,
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [workspaceId],
    );
    tenantSchema = row!.schema_name;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const key = (r: RouteSpec) => `${r.method} ${r.path}`;

  /** Every mounted route but the test probes and the raw docs UI (HTML, scripts, styles, images). */
  const routes = (): RouteSpec[] =>
    server.container
      .get(TOKENS.routes)
      .list()
      .filter((r) => !r.path.startsWith('/_probe'))
      .filter((r) => !(r.tags.includes('Docs') && r.response.raw && !r.response.raw.contentType.includes('json')));

  const callerOf = (r: RouteSpec): Caller => (r.permission?.startsWith('platform.') ? 'platform' : 'admin');

  /** The route's path with valid-looking params: the admin's workspace, random uuids elsewhere. */
  function pathOf(r: RouteSpec, override?: [string, string]): string {
    const full = server.container.get(TOKENS.routes).fullPath(r);
    return full.replace(/:(\w+)/g, (_m, name: string) => {
      if (override && override[0] === name) return override[1];
      if (name === 'workspaceId' && !r.path.endsWith('/switch')) return workspaceId;
      return randomUUID();
    });
  }

  function decodedParams(r: RouteSpec, path: string): Record<string, string> | null {
    const names = [
      ...server.container
        .get(TOKENS.routes)
        .fullPath(r)
        .matchAll(/:(\w+)/g),
    ].map((m) => m[1]!);
    const pattern = new RegExp(
      `^${server.container
        .get(TOKENS.routes)
        .fullPath(r)
        .replace(/:(\w+)/g, '([^/]*)')}$`,
    );
    const match = pattern.exec(path);
    if (!match) return null;
    try {
      return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
    } catch {
      return null;
    }
  }

  /** Whether the route's own schemas would accept this call (then a destructive route is not called). */
  function accepted(r: RouteSpec, path: string, query: string, body: unknown): boolean {
    const empty = z.strictObject({});
    const params = decodedParams(r, path);
    if (!params) return false;
    const ok = (schema: z.ZodType | undefined, value: unknown) => (schema ?? empty).safeParse(value).success;
    return (
      ok(r.request?.params, params) &&
      ok(r.request?.query, { ...querystring.parse(query) }) &&
      ok(r.request?.body, body === undefined ? {} : body)
    );
  }

  /** The declared top-level body fields of a route (from its zod schema). */
  function fieldsOf(r: RouteSpec): string[] {
    const schema = r.request?.body;
    if (!schema) return [];
    const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as {
      properties?: Record<string, unknown>;
    };
    return Object.keys(json.properties ?? {});
  }

  function build(
    r: RouteSpec,
    opts: { path?: string; query?: string; json?: unknown; raw?: [string, string]; form?: FormData; as?: Caller },
  ): Sent {
    const path = opts.path ?? pathOf(r);
    const headers: Record<string, string> = {};
    if (r.auth !== 'public') {
      Object.assign(
        headers,
        bearer((opts.as ?? callerOf(r)) === 'platform' ? platform.accessToken : admin.accessToken),
      );
    }
    let body: string | FormData | undefined;
    if (opts.raw) {
      headers['Content-Type'] = opts.raw[0];
      body = opts.raw[1];
    } else if (opts.form) {
      body = opts.form;
    } else if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const url = `${server.url}${path}${opts.query ? `?${opts.query}` : ''}`;
    // fetch resolves dot segments: a case must reach the route it is written for, not its parent.
    if (new URL(url).pathname !== path) throw new Error(`${path} would be sent as ${new URL(url).pathname}`);
    return { method: r.method.toUpperCase(), url, headers, body };
  }

  async function send(sent: Sent): Promise<Answer> {
    const res = await fetch(sent.url, { method: sent.method, headers: sent.headers, body: sent.body });
    return { status: res.status, text: await res.text() };
  }

  /** Every rule an answer to hostile input must follow; returns what was broken (empty: nothing). */
  function violations(sent: Sent, answer: Answer, raw: boolean): string[] {
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`status ${answer.status}`);
    if (answer.status >= 400) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        parsed = undefined;
      }
      const e = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
      const envelope =
        !!e &&
        typeof e.code === 'string' &&
        typeof e.message === 'string' &&
        Array.isArray(e.details) &&
        typeof e.requestId === 'string';
      if (!envelope) problems.push('no error envelope');
    }
    // A document served on success (OpenAPI, metrics) is not an answer to the input.
    if (!(raw && answer.status < 300)) {
      const asked = `${sent.url} ${typeof sent.body === 'string' ? sent.body : ''}`;
      // A stack inside a JSON string has its newlines escaped: look at the text both ways.
      const seen = `${answer.text}\n${answer.text.replace(/\\n/g, '\n')}`;
      for (const [name, pattern] of FORBIDDEN) {
        if (pattern.test(seen) && !pattern.test(asked)) problems.push(`leaks ${name}`);
      }
    }
    return problems;
  }

  interface Case {
    route: RouteSpec;
    label: string;
    sent: Sent;
    /** For the destructive routes: whether the route's schemas accept the call. */
    wouldAccept: boolean;
  }

  async function runCases(cases: Case[]): Promise<{ failures: string[]; answers: Array<[Case, Answer]> }> {
    const failures: string[] = [];
    const answers: Array<[Case, Answer]> = [];
    const queue = cases.filter((c) => !(DESTRUCTIVE.has(key(c.route)) && c.wouldAccept));
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const answer = await send(c.sent);
        answers.push([c, answer]);
        const problems = violations(c.sent, answer, !!c.route.response.raw);
        if (problems.length) failures.push(describeFailure(c, answer, problems));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return { failures, answers };
  }

  const describeFailure = (c: Case, answer: Answer, problems: string[]) =>
    `${key(c.route)} [${c.label}] ${c.sent.method} ${c.sent.url.replace(server.url, '').slice(0, 160)} -> ` +
    `${answer.status} ${problems.join(', ')}: ${answer.text.slice(0, 300)}`;

  const hasBody = (r: RouteSpec) => r.method !== 'get';

  function bodyCases(r: RouteSpec): Case[] {
    if (!hasBody(r)) return [];
    const path = pathOf(r);
    const make = (label: string, opts: Parameters<typeof build>[1], body: unknown): Case => ({
      route: r,
      label,
      sent: build(r, { path, ...opts }),
      wouldAccept: accepted(r, path, '', body),
    });
    const cases: Case[] = [];
    for (const [label, text] of RAW_JSON_BODIES) {
      cases.push(make(label, { raw: ['application/json', text] }, JSON.parse(text)));
    }
    for (const [label, type, text] of MALFORMED) {
      const isJson = type === 'application/json';
      let parsed: unknown = {};
      // An empty JSON body is read as {} by the body parser.
      if (isJson && text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = Symbol('unparseable');
        }
      }
      cases.push(make(label, { raw: [type, text] }, parsed));
    }
    const form = new FormData();
    form.append('name', 'x');
    form.append('file', new Blob(['not an image']), '../../etc/passwd');
    cases.push(make('multipart on a JSON route', { form }, {}));
    const fields = fieldsOf(r);
    for (const [label, value] of HOSTILE_VALUES) {
      for (const field of fields) {
        const body = { [field]: value };
        cases.push(make(`${field}=${label}`, { json: body }, body));
      }
      if (fields.length > 1) {
        const body = Object.fromEntries(fields.map((f) => [f, value]));
        cases.push(make(`every field=${label}`, { json: body }, body));
      }
      const extra = { ...Object.fromEntries(fields.map((f) => [f, "' OR 1=1 --"])), unknownExtraKey: value };
      cases.push(make(`unknown key=${label}`, { json: extra }, extra));
    }
    return cases;
  }

  function paramCases(r: RouteSpec): Case[] {
    const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    return names.flatMap((name) =>
      PARAM_VALUES.map(([label, value]) => {
        const path = pathOf(r, [name, value]);
        return {
          route: r,
          label: `${name}=${label}`,
          sent: build(r, { path }),
          wouldAccept: accepted(r, path, '', undefined),
        };
      }),
    );
  }

  function queryCases(r: RouteSpec): Case[] {
    const path = pathOf(r);
    return QUERIES.map(([label, query]) => ({
      route: r,
      label,
      sent: build(r, { path, query }),
      wouldAccept: accepted(r, path, query, undefined),
    }));
  }

  test('the route list covers the API (guards against a filter that skips everything)', () => {
    const keys = routes().map(key);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys).toEqual(
      expect.arrayContaining(['post /auth/register', 'put /users/me', 'post /workspaces/:workspaceId/roles']),
    );
    // The fields come from each body schema: a schema we cannot read would silently weaken the suite.
    expect(fieldsOf(routes().find((r) => key(r) === 'post /workspaces/:workspaceId/members/invite')!)).toEqual(
      expect.arrayContaining(['email', 'role']),
    );
  });

  test('the rules catch what they are for (so a green run means something)', () => {
    const sent: Sent = { method: 'POST', url: `${server.url}${API}/x`, headers: {}, body: '{}' };
    const envelope = JSON.stringify({ error: { code: 'X', message: 'm', details: [], requestId: 'r' } });
    expect(violations(sent, { status: 400, text: envelope }, false)).toEqual([]);
    expect(violations(sent, { status: 500, text: envelope }, false)).toEqual(['status 500']);
    expect(violations(sent, { status: 400, text: 'Bad Request' }, false)).toEqual(['no error envelope']);
    expect(
      violations(sent, { status: 400, text: JSON.stringify({ error: { code: 'X', message: 'm' } }) }, false),
    ).toEqual(['no error envelope']);
    const leak = JSON.stringify({
      error: { code: 'X', message: 'SELECT "password_hash" $2b$10$abc Sequelize', details: [], requestId: 'r' },
      stack: 'Error\n    at Parser.parseErrorMessage (/app/node_modules/pg/lib/parser.js:1:1)',
    });
    expect(violations(sent, { status: 400, text: leak }, false)).toEqual([
      'leaks stack frame',
      'leaks SELECT',
      'leaks sequelize',
      'leaks bcrypt hash',
      'leaks password_hash',
      'leaks node_modules',
    ]);
    expect(violations(sent, { status: 200, text: 'INSERT INTO' }, false)).toEqual(['leaks INSERT']);
  });

  test('hand-written hostile bodies, params and queries: below 500, enveloped, nothing leaked', async () => {
    const cases = routes().flatMap((r) => [...bodyCases(r), ...paramCases(r), ...queryCases(r)]);
    const { failures, answers } = await runCases(cases);
    expect(answers.length).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 120_000);

  test('the upload route refuses hostile multipart and non-multipart bodies', async () => {
    const route = routes().find((r) => r.request?.upload)!;
    const field = route.request!.upload!.field;
    const forms: Array<[string, FormData]> = [];
    const add = (label: string, fill: (f: FormData) => void) => {
      const f = new FormData();
      fill(f);
      forms.push([label, f]);
    };
    add('no file', (f) => f.append('other', 'x'));
    add('text field named like the file', (f) => f.append(field, "' OR 1=1 --"));
    add('two files', (f) => {
      f.append(field, new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47])]), 'a.png');
      f.append(field, new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47])]), 'b.png');
    });
    add('script as png', (f) =>
      f.append(field, new Blob(['<script>alert(1)</script>'], { type: 'image/png' }), 'x.png'),
    );
    add('traversal file name', (f) => f.append(field, new Blob(['GIF89a']), '../../../../etc/passwd'));
    add('empty file', (f) => f.append(field, new Blob([]), 'empty.png'));
    add('truncated png header', (f) =>
      f.append(field, new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d])]), 'a.png'),
    );
    const cases: Case[] = forms.map(([label, form]) => ({
      route,
      label,
      sent: build(route, { form }),
      wouldAccept: false,
    }));
    cases.push(
      ...[
        ['json body', 'application/json', '{"file": "x"}'],
        ['multipart without boundary', 'multipart/form-data', '--x\r\n'],
        [
          'multipart with bogus boundary',
          'multipart/form-data; boundary=zzz',
          '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
        ],
      ].map(([label, type, text]) => ({
        route,
        label: label!,
        sent: build(route, { raw: [type!, text!] }),
        wouldAccept: false,
      })),
    );
    const { failures, answers } = await runCases(cases);
    expect(answers.map(([c, a]) => `${c.label}: ${a.status < 300 ? 'accepted' : 'refused'}`).sort()).toEqual(
      cases.map((c) => `${c.label}: refused`).sort(),
    );
    expect(failures).toEqual([]);
  });

  test('unknown paths and methods answer with the envelope', async () => {
    const fake = routes()[0]!;
    const cases: Case[] = [
      `${API}/..%2F..%2Fetc%2Fpasswd`,
      `${API}/${'a'.repeat(5_000)}`,
      `${API}/%E0%A4%A`,
      `${API}/workspaces/${workspaceId}/nothing-here`,
    ].map((path) => ({ route: fake, label: 'unknown path', sent: build(fake, { path }), wouldAccept: false }));
    cases.push({
      route: fake,
      label: 'unrouted method',
      sent: { method: 'PATCH', url: `${server.url}${API}/workspaces`, headers: bearer(admin.accessToken) },
      wouldAccept: false,
    });
    const { failures, answers } = await runCases(cases);
    expect(answers.every(([, a]) => a.status >= 400)).toBe(true);
    expect(failures).toEqual([]);
  });

  describe('property-based', () => {
    const jsonBody = fc.oneof(
      fc.jsonValue(),
      fc.object(),
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.dictionary(
        fc.constantFrom('name', 'email', 'password', 'role', 'roles', 'permissions', 'token', 'status', 'scope'),
        fc.jsonValue(),
      ),
    );
    const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));

    test(
      'generated JSON bodies on every route with a body schema',
      async () => {
        const failures: string[] = [];
        const bodyRoutes = routes().filter((r) => r.request?.body);
        expect(bodyRoutes.length).toBeGreaterThan(10);
        for (const r of bodyRoutes) {
          const path = pathOf(r);
          await fc
            .assert(
              fc.asyncProperty(jsonBody, async (value) => {
                // JSON has no undefined, NaN or -0: what is sent is what JSON.stringify writes.
                const text = JSON.stringify(value) ?? 'null';
                const body = JSON.parse(text);
                if (DESTRUCTIVE.has(key(r)) && accepted(r, path, '', body)) return;
                const sent = build(r, { path, raw: ['application/json', text] });
                const answer = await send(sent);
                const problems = violations(sent, answer, !!r.response.raw);
                if (problems.length)
                  throw new Error(`${answer.status} ${problems.join(', ')}: ${answer.text.slice(0, 300)}`);
              }),
              { numRuns: RUNS, seed: SEED, endOnFailure: !BIG },
            )
            .catch((error: Error) => failures.push(`${key(r)}: ${error.message.split('\n').slice(0, 6).join(' | ')}`));
        }
        expect(failures).toEqual([]);
      },
      PROPERTY_TIMEOUT,
    );

    test(
      'generated query strings on every route',
      async () => {
        const failures: string[] = [];
        for (const r of routes()) {
          const path = pathOf(r);
          await fc
            .assert(
              fc.asyncProperty(fc.dictionary(anyString, anyString, { maxKeys: 6 }), async (dict) => {
                const query = new URLSearchParams(dict).toString();
                if (DESTRUCTIVE.has(key(r)) && accepted(r, path, query, undefined)) return;
                const sent = build(r, { path, query });
                const answer = await send(sent);
                const problems = violations(sent, answer, !!r.response.raw);
                if (problems.length)
                  throw new Error(`${answer.status} ${problems.join(', ')}: ${answer.text.slice(0, 300)}`);
              }),
              { numRuns: RUNS, seed: SEED, endOnFailure: !BIG },
            )
            .catch((error: Error) => failures.push(`${key(r)}: ${error.message.split('\n').slice(0, 6).join(' | ')}`));
        }
        expect(failures).toEqual([]);
      },
      PROPERTY_TIMEOUT,
    );
  });

  describe('refused writes change nothing', () => {
    /** Count and content of each table, narrowed to this suite's accounts where other suites write too. */
    async function snapshot(since: Date): Promise<Record<string, { n: number; h: string }>> {
      const ids = [admin.user.id, platform.user.id];
      const t = `"${tenantSchema}"`;
      const tables: Record<string, [string, unknown[]]> = {
        // Other suites register @example.com / @demo.test users concurrently; hostile emails are neither.
        'public.users (new)': [
          "SELECT to_jsonb(t) AS j FROM public.users t WHERE created_at >= $1 AND email NOT LIKE '%@example.com' AND email NOT LIKE '%@demo.test'",
          [since],
        ],
        'public.users (ours)': ['SELECT to_jsonb(t) AS j FROM public.users t WHERE id = ANY($1)', [ids]],
        'public.workspaces': [
          'SELECT to_jsonb(t) AS j FROM public.workspaces t WHERE owner_id = ANY($1) OR id IN (SELECT workspace_id FROM public.workspace_memberships WHERE user_id = ANY($1))',
          [ids],
        ],
        'public.workspace_memberships': [
          'SELECT to_jsonb(t) AS j FROM public.workspace_memberships t WHERE user_id = ANY($1)',
          [ids],
        ],
        'public.sessions': [
          "SELECT to_jsonb(t) - 'last_used_at' AS j FROM public.sessions t WHERE user_id = ANY($1)",
          [ids],
        ],
        'public.user_global_roles': [
          'SELECT to_jsonb(t) AS j FROM public.user_global_roles t WHERE user_id = ANY($1)',
          [ids],
        ],
        [`${tenantSchema}.roles`]: [`SELECT to_jsonb(t) AS j FROM ${t}.roles t`, []],
        [`${tenantSchema}.role_permissions`]: [`SELECT to_jsonb(t) AS j FROM ${t}.role_permissions t`, []],
        [`${tenantSchema}.members`]: [`SELECT to_jsonb(t) AS j FROM ${t}.members t`, []],
        [`${tenantSchema}.member_roles`]: [`SELECT to_jsonb(t) AS j FROM ${t}.member_roles t`, []],
        [`${tenantSchema}.invitations`]: [`SELECT to_jsonb(t) AS j FROM ${t}.invitations t`, []],
        [`${tenantSchema}.notifications`]: [`SELECT to_jsonb(t) AS j FROM ${t}.notifications t`, []],
      };
      const out: Record<string, { n: number; h: string }> = {};
      for (const [name, [sql, bind]] of Object.entries(tables)) {
        const [row] = await selectRows<{ n: number; h: string }>(
          server,
          `SELECT count(*)::int AS n, md5(coalesce(string_agg(j::text, ',' ORDER BY j::text), '')) AS h FROM (${sql}) s`,
          bind,
        );
        out[name] = row!;
      }
      return out;
    }

    test('a batch of hostile POST/PUT/PATCH/DELETE calls, every one refused, leaves the tables as they were', async () => {
      const writes = routes().filter((r) => r.method !== 'get');
      const cases: Case[] = [];
      for (const r of writes) {
        const path = pathOf(r);
        const add = (label: string, opts: Parameters<typeof build>[1]) =>
          cases.push({ route: r, label, sent: build(r, { path, ...opts }), wouldAccept: false });
        for (const [label, text] of RAW_JSON_BODIES.filter(
          ([l]) => l !== 'duplicate keys' && l !== 'escaped lone surrogate',
        )) {
          add(label, { raw: ['application/json', text] });
        }
        for (const [label, type, text] of MALFORMED.filter(([, type]) => type.startsWith('application/json'))) {
          if (text !== '') add(label, { raw: [type, text] });
        }
        const fields = fieldsOf(r);
        for (const [label, value] of [
          ['operator', { $gt: '' }],
          ['deep object', DEEP],
        ] as const) {
          if (fields.length) add(`every field=${label}`, { json: Object.fromEntries(fields.map((f) => [f, value])) });
        }
        if (fields.length) {
          add('sql everywhere + unknown key', {
            json: { ...Object.fromEntries(fields.map((f) => [f, "'; DROP TABLE users; --"])), unknownExtraKey: true },
          });
        }
        for (const name of [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!)) {
          add(`${name}=traversal`, { path: pathOf(r, [name, '..%2F..%2Fetc%2Fpasswd']), json: {} });
        }
      }
      const before = await snapshot(new Date(Date.now() - 1_000));
      const since = new Date();
      const { failures, answers } = await runCases(cases);
      const after = await snapshot(since);
      const accepted2xx = answers
        .filter(([, a]) => a.status < 400)
        .map(([c, a]) => `${key(c.route)} [${c.label}] -> ${a.status}`);
      expect({ failures, accepted2xx }).toEqual({ failures: [], accepted2xx: [] });
      expect(answers.length).toBe(cases.length);
      expect(after).toEqual({ ...before, 'public.users (new)': { n: 0, h: expect.any(String) } });
    }, 60_000);
  });

  // Every test must leave the callers signed in and the workspace alive, or the next tests would
  // only meet the auth guard (a 401 passes every rule above) and prove nothing.
  afterEach(async () => {
    for (const account of [admin, platform]) {
      const res = await fetch(`${server.url}${API}/users/me`, { headers: bearer(account.accessToken) });
      expect(res.status).toBe(200);
    }
    const perms = await fetch(`${server.url}${API}/me/permissions`, { headers: bearer(admin.accessToken) });
    expect(perms.status).toBe(200);
    const ws = await fetch(`${server.url}${API}/workspaces/${workspaceId}`, { headers: bearer(admin.accessToken) });
    expect(ws.status).toBe(200);
  });
});
