import fs from 'node:fs';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import cliProgress from 'cli-progress';

/**
 * The archive on disk is gzip-compressed; `-` means stdout. The file is written beside its final
 * name and renamed once complete, so a failed export never leaves a truncated archive behind.
 */
export function archiveWriter(file: string): { stream: Writable; done: Promise<void>; commit(): void; abort(): void } {
  const gzip = zlib.createGzip();
  if (file === '-')
    return { stream: gzip, done: pipeline(gzip, process.stdout), commit: () => undefined, abort: () => undefined };
  const partial = `${file}.partial`;
  const done = pipeline(gzip, fs.createWriteStream(partial, { mode: 0o600 }));
  return {
    stream: gzip,
    done,
    commit: () => fs.renameSync(partial, file),
    abort: () => fs.rmSync(partial, { force: true }),
  };
}

/** Reads an archive file, compressed or not (gzip's magic bytes decide). */
export function archiveReader(file: string): Readable {
  const fd = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  const raw = fs.createReadStream(file);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return raw;
  const out = new PassThrough();
  // Its error reaches the importer through its own pipeline, which may attach a little later.
  out.on('error', () => undefined);
  pipeline(raw, zlib.createGunzip(), out).catch((err: Error) => out.destroy(err));
  return out;
}

/** A bar per stream on a terminal (stderr), nothing otherwise: pipes and CI logs stay clean. */
export function streamProgress(label: string): { update(stream: string, rows: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${label} {bar} {value} streams · {stream}: {rows} rows`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0, { stream: '', rows: 0 });
  let done = 0;
  return {
    update: (stream, rows) => {
      done += 1;
      bar.setTotal(done);
      bar.update(done, { stream, rows });
    },
    stop: () => bar.stop(),
  };
}

/** Writes the JSON report when asked for one. */
export function writeReport(file: unknown, report: unknown): void {
  if (typeof file === 'string') fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
