import { UnprocessableError } from '../../../core/errors/app-error';

/**
 * The workspace archive (format 1): a POSIX tar, gzip-compressed on disk, whose entries are
 *   header.json                      what it holds: versions, the workspace row, every stream's columns
 *   data/<stream>/<000000>.copy      each stream in parts of at most 4 MiB, PostgreSQL COPY text format
 *   manifest.json                    per stream: rows, bytes and the SHA-256 of its parts, concatenated
 * Streams: `directory/users` and `directory/memberships` (the public rows of the workspace's
 * people, never a password hash or token), then one `tenant/<table>` per table of the tenant
 * schema, parents before children. The manifest comes last because the checksums are known only
 * once everything is written: an importer verifies it before it commits. ADR 0010.
 */
export const ARCHIVE_FORMAT = 'tenant-api/workspace-archive';
export const ARCHIVE_FORMAT_VERSION = 1;
export const HEADER_ENTRY = 'header.json';
export const MANIFEST_ENTRY = 'manifest.json';
export const PART_BYTES = 4 * 1024 * 1024;

export interface ArchiveStream {
  /** `directory/users`, `directory/memberships` or `tenant/<table>`. */
  name: string;
  columns: string[];
}

export interface ArchivedWorkspace {
  id: string;
  name: string;
  slug: string;
  status: string;
  settings: Record<string, unknown>;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  createdAt: string;
  /** The newest tenant migration the exported schema had applied. */
  tenantVersion: string;
  workspace: ArchivedWorkspace;
  streams: ArchiveStream[];
}

export interface StreamDigest {
  rows: number;
  bytes: number;
  sha256: string;
  parts: number;
}

export interface ArchiveManifest {
  streams: Record<string, StreamDigest>;
}

export const USERS_STREAM = 'directory/users';
export const MEMBERSHIPS_STREAM = 'directory/memberships';
/** The public profile of an account: never its password hash, tokens, sessions or sign-in activity. */
export const USER_COLUMNS = [
  'id',
  'email',
  'name',
  'status',
  'email_verified_at',
  'locale',
  'timezone',
  'created_at',
  'deleted_at',
];
export const MEMBERSHIP_COLUMNS = ['user_id', 'status', 'joined_at'];

export function partName(stream: string, index: number): string {
  return `data/${stream}/${String(index).padStart(6, '0')}.copy`;
}

/** The stream a part entry belongs to, or null when the name is not a part's. */
export function streamOfPart(entry: string): string | null {
  const match = /^data\/((?:directory|tenant)\/[a-z_][a-z0-9_]{0,62})\/\d{6}\.copy$/.exec(entry);
  return match?.[1] ?? null;
}

/** An archive this release cannot or must not restore; nothing of it is kept. */
export class ArchiveError extends UnprocessableError {
  constructor(code: 'ARCHIVE_INVALID' | 'ARCHIVE_TOO_NEW' | 'ARCHIVE_CHECKSUM_MISMATCH', message: string) {
    super(message, code);
  }
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Checks a header before anything is written: its format, that this release knows its tenant
 * version (an archive from a newer release is refused, an older one is migrated forward after
 * the restore) and that every name in it is one this code may put into SQL.
 */
export function checkHeader(value: unknown, knownVersions: readonly string[]): ArchiveHeader {
  const header = value as Partial<ArchiveHeader> | null;
  if (!header || header.format !== ARCHIVE_FORMAT) throw new ArchiveError('ARCHIVE_INVALID', 'not a workspace archive');
  if (header.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveError(
      header.formatVersion && header.formatVersion > ARCHIVE_FORMAT_VERSION ? 'ARCHIVE_TOO_NEW' : 'ARCHIVE_INVALID',
      `archive format ${String(header.formatVersion)} is not supported (this release reads format ${ARCHIVE_FORMAT_VERSION})`,
    );
  }
  const version = header.tenantVersion;
  if (typeof version !== 'string') throw new ArchiveError('ARCHIVE_INVALID', 'the archive names no tenant version');
  if (!knownVersions.includes(version)) {
    const newer = knownVersions.length === 0 || version > knownVersions[knownVersions.length - 1]!;
    throw new ArchiveError(
      newer ? 'ARCHIVE_TOO_NEW' : 'ARCHIVE_INVALID',
      newer
        ? `the archive's tenant version ${version} is newer than this release's (${knownVersions.at(-1) ?? 'none'}): import it with a newer release`
        : `the archive's tenant version ${version} is not a migration of this release`,
    );
  }
  const ws = header.workspace;
  if (!ws || !UUID.test(String(ws.id)) || !UUID.test(String(ws.ownerId)) || typeof ws.slug !== 'string') {
    throw new ArchiveError('ARCHIVE_INVALID', 'the archive’s workspace record is incomplete');
  }
  const streams = header.streams;
  if (!Array.isArray(streams)) throw new ArchiveError('ARCHIVE_INVALID', 'the archive lists no streams');
  for (const stream of streams) {
    const [kind, table] = String(stream?.name).split('/');
    const columnsOk =
      Array.isArray(stream?.columns) && stream.columns.length > 0 && stream.columns.every((c) => NAME.test(c));
    if (!(kind === 'directory' || kind === 'tenant') || !table || !NAME.test(table) || !columnsOk) {
      throw new ArchiveError('ARCHIVE_INVALID', `the archive lists an invalid stream (${String(stream?.name)})`);
    }
  }
  for (const required of [USERS_STREAM, MEMBERSHIPS_STREAM]) {
    if (!streams.some((s) => s.name === required))
      throw new ArchiveError('ARCHIVE_INVALID', `the archive has no ${required}`);
  }
  return header as ArchiveHeader;
}

/** Compares what was read with what the manifest promises, stream by stream. */
export function checkManifest(value: unknown, header: ArchiveHeader, read: Record<string, StreamDigest>): void {
  const manifest = value as Partial<ArchiveManifest> | null;
  if (!manifest?.streams || typeof manifest.streams !== 'object') {
    throw new ArchiveError('ARCHIVE_INVALID', 'the archive’s manifest is missing or malformed');
  }
  for (const { name } of header.streams) {
    const promised = manifest.streams[name];
    const got = read[name] ?? { rows: 0, bytes: 0, sha256: EMPTY_SHA256, parts: 0 };
    if (!promised) throw new ArchiveError('ARCHIVE_INVALID', `the manifest does not list ${name}`);
    if (promised.sha256 !== got.sha256 || promised.rows !== got.rows || promised.bytes !== got.bytes) {
      throw new ArchiveError(
        'ARCHIVE_CHECKSUM_MISMATCH',
        `${name} does not match the manifest (rows ${got.rows} of ${promised.rows}, sha256 ${got.sha256.slice(0, 12)}… of ${String(promised.sha256).slice(0, 12)}…)`,
      );
    }
  }
}

/** SHA-256 of no bytes: the digest of an empty stream. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
