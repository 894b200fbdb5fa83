import type { ArchiveHeader } from './archive';

/** Where an import lands: decided from the archive's header by the use case. */
export interface ImportTarget {
  id: string;
  name: string;
  slug: string;
  /** A copy: new id, fresh timestamps, active, and the original's pending invitations revoked. */
  asNew: boolean;
}

export interface ImportOptions {
  decide: (header: ArchiveHeader) => Promise<ImportTarget>;
  /** The password hash of accounts the import creates: of a secret nobody keeps, so none can sign in with it. */
  placeholderPasswordHash: string;
}

export interface ExportReport {
  workspace: { id: string; slug: string; name: string };
  tenantVersion: string;
  rows: Record<string, number>;
  bytes: number;
}

export interface ImportReport {
  workspace: { id: string; slug: string; name: string };
  source: { id: string; slug: string; exportedAt: string };
  tenantVersion: { archive: string; now: string };
  migratedForward: string[];
  rows: Record<string, number>;
  accounts: { matched: number; created: number; remapped: number };
}

/** Per stream, as it goes: for progress bars. */
export type ArchiveProgress = (stream: string, rows: number) => void;

/** Streams one workspace out of, and into, this deployment's database. */
export interface TenantArchiver {
  /** Writes the uncompressed tar to `out` from one consistent snapshot; `out` is ended. */
  export(workspaceId: string, out: NodeJS.WritableStream, progress?: ArchiveProgress): Promise<ExportReport>;
  /** Restores from an uncompressed tar in one transaction: all of it, or nothing. */
  import(input: NodeJS.ReadableStream, options: ImportOptions, progress?: ArchiveProgress): Promise<ImportReport>;
}

export interface LifecycleWorkspace {
  id: string;
  name: string;
  slug: string;
  status: string;
  schemaName: string;
  /** The database that holds the schema. */
  shard: string;
  /** Set while a move to that database is under way (or was cut short). */
  movingTo: string | null;
}

export interface TableFingerprint {
  rows: number;
  /** The sum of the rows' md5s (64 bits each): equal on both sides when every row was copied. */
  checksum: string;
}

export interface MoveReport {
  workspace: { id: string; slug: string; schema: string };
  from: string;
  to: string;
  /** Per table of the schema, as verified on the target. */
  tables: Record<string, TableFingerprint>;
  /** How long the workspace's writes were refused. */
  frozenMs: number;
  /** Where the freeze went: waiting for writes in flight, copying, verifying (zero when resumed). */
  phases: CopyPhases;
  /** A move cut short earlier was finished (the copy had committed) rather than started again. */
  resumed: boolean;
}

export interface CopyPhases {
  waitMs: number;
  copyMs: number;
  verifyMs: number;
}

export interface MoveProgress {
  start(tables: number): void;
  table(name: string): void;
}

/** Copies a tenant schema between databases; the steps the move use case orders. */
export interface TenantMover {
  /** Runs work unless a move or abort of the workspace is running (TenantMoveConflictError then). */
  exclusively<T>(workspaceId: string, work: () => Promise<T>): Promise<T>;
  /** Sets (or clears, with null) the directory's freeze mark: writes get 503 while it is set. */
  setMoving(workspaceId: string, to: string | null): Promise<void>;
  /** Under the move lock on the source: copy, verify, commit the target, drop the source. */
  copy(
    workspace: LifecycleWorkspace,
    from: string,
    to: string,
    progress?: MoveProgress,
  ): Promise<{ tables: MoveReport['tables']; phases: CopyPhases }>;
  /** Points the directory at the new database and lifts the freeze (refused if the row moved meanwhile). */
  switchTo(workspace: LifecycleWorkspace, to: string): Promise<void>;
  schemaExists(shard: string, schema: string): Promise<boolean>;
  dropSchema(shard: string, schema: string): Promise<void>;
}

/** What erasure removed or redacted: printed as its receipt. */
export interface PurgeReceipt {
  workspace: { id: string; slug: string; schema: string };
  purgedAt: string;
  removed: {
    schema: string;
    tenantRows: Record<string, number>;
    memberships: number;
    directoryRow: number;
    finishedJobs: number;
  };
  redacted: { platformAuditEvents: number; notificationsElsewhere: number };
  detached: { sessions: number; users: number };
}

/** The directory as lifecycle operations need it. */
export interface LifecycleDirectory {
  /** By id or slug; a slug names the live workspace that holds it. */
  find(idOrSlug: string): Promise<LifecycleWorkspace | null>;
  slugInUse(slug: string): Promise<boolean>;
  /** Drops the schema, the directory rows and every trace the workspace left, in one transaction. */
  purge(workspace: LifecycleWorkspace): Promise<PurgeReceipt>;
}
