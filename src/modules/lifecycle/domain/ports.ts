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
