import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { EMPTY_SHA256, type StreamDigest } from '../domain/archive';
import type { UserReference } from '../domain/user-references';

const NEWLINE = 0x0a;

/**
 * Counts, measures and hashes what passes through, unchanged. In COPY's text format every row
 * ends with a newline byte and a newline inside a value is written as `\n`, so rows are newlines.
 */
export class DigestTap extends Transform {
  private readonly hash = createHash('sha256');
  private rows = 0;
  private bytes = 0;
  private parts = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.add(chunk);
    done(null, chunk);
  }

  /** For a caller that has the bytes in hand (the exporter, part by part). */
  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) this.rows += 1;
  }

  countPart(): void {
    this.parts += 1;
  }

  digest(): StreamDigest {
    return {
      rows: this.rows,
      bytes: this.bytes,
      sha256: this.bytes === 0 ? EMPTY_SHA256 : this.hash.copy().digest('hex'),
      parts: this.parts,
    };
  }
}

/**
 * Rewrites the user-id columns of COPY text rows through `map` (ids not in it pass unchanged),
 * one line at a time: memory holds at most one incoming chunk and one partial line. Safe to split
 * on tabs and newlines: in the text format both are escaped inside values.
 */
export function remapUserIds(
  columns: string[],
  references: readonly UserReference[],
  map: ReadonlyMap<string, string>,
): Transform {
  const targets = references.map((ref) => ({
    index: columns.indexOf(ref.column),
    when: ref.when ? { index: columns.indexOf(ref.when.column), equals: ref.when.equals } : null,
  }));
  if (targets.some((t) => t.index < 0 || (t.when && t.when.index < 0))) {
    throw new Error(`a user reference names a column the table does not have (${columns.join(', ')})`);
  }
  // A multi-byte character may straddle two chunks: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const rewrite = (line: string): string => {
    const fields = line.split('\t');
    for (const { index, when } of targets) {
      if (when && fields[when.index] !== when.equals) continue;
      const mapped = map.get(fields[index]!);
      if (mapped) fields[index] = mapped;
    }
    return fields.join('\t');
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = carry + decoder.write(chunk);
      const end = text.lastIndexOf('\n');
      if (end === -1) {
        carry = text;
        return done();
      }
      carry = text.slice(end + 1);
      done(null, `${text.slice(0, end).split('\n').map(rewrite).join('\n')}\n`);
    },
    flush(done) {
      // A last row without its newline: COPY would refuse it anyway; pass it on as it came.
      const rest = carry + decoder.end();
      done(null, rest.length > 0 ? rewrite(rest) : undefined);
    },
  });
}
