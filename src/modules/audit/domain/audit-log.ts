/** One security-relevant fact. Never a secret, token or hash in metadata. */
export interface AuditEntry {
  /** `context.subject.verb`, e.g. `auth.login.failed`. */
  action: string;
  actorId?: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
}

/** Where audit entries go; the adapter adds request id, IP and user agent from the request context. */
export interface AuditLog {
  /**
   * detached: written outside the current transaction (still to the current tenant's trail), for
   * refusals whose request will roll back, such as a denied permission.
   */
  record(entry: AuditEntry, options?: { detached?: boolean }): Promise<void>;
}
