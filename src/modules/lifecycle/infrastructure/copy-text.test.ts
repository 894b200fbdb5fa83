import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DigestTap, remapUserIds } from './copy-text';

async function through(chunks: Buffer[], transform: NodeJS.ReadWriteStream): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(transform as never) as AsyncIterable<Buffer | string>) {
    out.push(Buffer.from(chunk));
  }
  return Buffer.concat(out).toString('utf8');
}

const OLD = '11111111-1111-4111-8111-111111111111';
const NEW = '22222222-2222-4222-8222-222222222222';
const OTHER = '33333333-3333-4333-8333-333333333333';

describe('remapUserIds', () => {
  const columns = ['id', 'actor_id', 'target_type', 'target_id', 'note'];
  const refs = [{ column: 'actor_id' }, { column: 'target_id', when: { column: 'target_type', equals: 'user' } }];
  const map = new Map([[OLD, NEW]]);

  test('when rows name a mapped id, then exactly those columns change, and a target only where its type is user', async () => {
    const input = [
      `a\t${OLD}\tuser\t${OLD}\tx\n`,
      `b\t${OTHER}\trole\t${OLD}\ty\n`,
      `c\t\\N\tuser\t${OTHER}\t${OLD}\n`,
    ].join('');
    expect(await through([Buffer.from(input)], remapUserIds(columns, refs, map))).toBe(
      [`a\t${NEW}\tuser\t${NEW}\tx\n`, `b\t${OTHER}\trole\t${OLD}\ty\n`, `c\t\\N\tuser\t${OTHER}\t${OLD}\n`].join(''),
    );
  });

  test('when a row and a multi-byte character are split across chunks, then the output is the same as in one piece', async () => {
    const input = Buffer.from(`a\t${OLD}\tuser\t${OLD}\tcafé ☕\nb\t${OLD}\trole\t\\N\t€\n`);
    const whole = await through([input], remapUserIds(columns, refs, map));
    for (const at of [1, 40, input.indexOf(0xe2) + 1, input.length - 2]) {
      expect(await through([input.subarray(0, at), input.subarray(at)], remapUserIds(columns, refs, map))).toBe(whole);
    }
    expect(whole).toContain(`a\t${NEW}\tuser\t${NEW}\tcafé ☕\n`);
  });

  test('when a reference names a column the table lacks, then it is refused up front', () => {
    expect(() => remapUserIds(['id'], [{ column: 'user_id' }], map)).toThrow('a user reference names a column');
  });
});

describe('DigestTap', () => {
  test('when rows pass, then it counts newline-terminated rows, bytes and hashes them, unchanged', async () => {
    const tap = new DigestTap();
    const text = 'a\\nstill a\t1\nb\t2\n';
    expect(await through([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))], tap)).toBe(text);
    expect(tap.digest()).toEqual({
      rows: 2,
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
      parts: 0,
    });
  });
});
