import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ROOT } from '../support/processes';
import { startTestServer, type TestServer } from '../support/test-server';

interface Finding {
  code: string;
  message: string;
  severity: number;
  path: string[];
}

interface LintRun {
  code: number | null;
  findings: Finding[];
  stderr: string;
}

const SPECTRAL_PACKAGE = require.resolve('@stoplight/spectral-cli/package.json');
const SPECTRAL = path.join(
  path.dirname(SPECTRAL_PACKAGE),
  (JSON.parse(fs.readFileSync(SPECTRAL_PACKAGE, 'utf8')) as { bin: { spectral: string } }).bin.spectral,
);
const SEVERITY_ERROR = 0;

/** Runs the Spectral CLI with the project's ruleset (.spectral.yaml: spectral:oas) on one document. */
function lint(document: object): Promise<LintRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-lint-'));
  const file = path.join(dir, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  const args = [SPECTRAL, 'lint', file, '--ruleset', path.join(ROOT, '.spectral.yaml'), '--format', 'json'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      let findings: Finding[] = [];
      try {
        findings = JSON.parse(stdout) as Finding[];
      } catch {
        // Not JSON: Spectral itself failed; stderr (printed by the assertion below) says why.
      }
      resolve({ code: err ? Number(err.code ?? 1) : 0, findings, stderr: `${stderr}\n${stdout.slice(0, 2000)}` });
    });
  });
}

/** The findings of error severity, as short lines a failure message can show. */
const errorsOf = (run: LintRun) =>
  run.findings
    .filter((f) => f.severity === SEVERITY_ERROR)
    .map((f) => `${f.code} at ${f.path.join('.')}: ${f.message}`);

type Operation = {
  operationId?: string;
  tags?: string[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
type Document = { tags?: { name: string }[]; paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document linted by Spectral (spectral:oas)', () => {
  let server: TestServer;
  let doc: Document;

  beforeAll(async () => {
    // A metrics token mounts /metrics too, so every route the app can serve is linted.
    server = await startTestServer({ METRICS_TOKEN: 'lint-metrics-token-0123456789' });
    doc = (await request(server.url).get('/api/v1/openapi.json')).body;
  });
  afterAll(() => server.stop());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ p, method, op })));

  test('when a broken document is linted, then Spectral reports an error (so a clean run means something)', async () => {
    const broken = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/x': {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      additionalProperties: { anyOf: [{ type: 'string' }, { nullable: true }] },
                    },
                    example: { a: 'b' },
                  },
                },
              },
            },
          },
        },
      },
    };

    const run = await lint(broken);

    expect({ errors: errorsOf(run), stderr: run.stderr }).toEqual({
      errors: expect.arrayContaining([
        expect.stringMatching(/^oas3-valid-media-example .*"nullable" cannot be used without "type"/),
        expect.stringMatching(/^operation-operationId /),
      ]),
      stderr: expect.any(String),
    });
    expect(run.code).not.toBe(0);
  });

  test('when the served document is linted, then no finding has error severity', async () => {
    const run = await lint(doc);

    // stderr is part of the compared value, so a failure shows what Spectral printed.
    expect({ code: run.code, errors: errorsOf(run), stderr: run.code === 0 ? '' : run.stderr }).toEqual({
      code: 0,
      errors: [],
      stderr: '',
    });
  }, 60_000);

  test('when read, then every operation has a unique operationId and only declared tags', () => {
    const ids = operations().map(({ op }) => op.operationId);
    const declared = new Set((doc.tags ?? []).map((t) => t.name));

    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations().filter(({ op }) => !op.tags?.length || op.tags.some((t) => !declared.has(t)))).toEqual([]);
  });

  test('when read, then rate-limited responses declare the RateLimit headers and every 429 declares Retry-After', () => {
    const limited = operations().filter(({ p }) => !p.startsWith('/health/'));
    expect(limited.length).toBeGreaterThan(30);

    const missing = limited.flatMap(({ p, method, op }) =>
      Object.entries(op.responses).flatMap(([status, response]) => {
        const wanted = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
        if (status === '429') wanted.push('Retry-After');
        return wanted.filter((h) => !response.headers?.[h]).map((h) => `${method} ${p} ${status}: ${h}`);
      }),
    );
    expect(missing).toEqual([]);
  });
});
