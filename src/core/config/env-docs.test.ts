import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema } from './config';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The backticked names in the first column of the Markdown table that starts with "| Variable". */
function tableVariables(markdown: string): Set<string> {
  const start = markdown.indexOf('| Variable');
  const rows = markdown.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  return new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!)));
}

describe('every environment variable is documented', () => {
  const variables = Object.keys(envSchema.shape).sort();

  test.each([
    ['README.md', () => tableVariables(read('README.md'))],
    ['docs/deployment/README.md', () => tableVariables(read('docs/deployment/README.md'))],
    ['.env.example', () => new Set([...read('.env.example').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!))],
  ])('when %s is read, then it names every variable the configuration reads, and no other', (_file, documented) => {
    const names = documented();
    expect({
      missing: variables.filter((v) => !names.has(v)),
      unknown: [...names].filter((n) => !variables.includes(n)).sort(),
    }).toEqual({
      missing: [],
      unknown: [],
    });
  });
});
