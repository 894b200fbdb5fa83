import type { AuditRecord } from '../domain/audit-trail';

/** The columns of an export, in order (CSV header; NDJSON keys). */
export const EXPORT_COLUMNS = [
  'id',
  'at',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'ip',
  'userAgent',
  'requestId',
  'metadata',
] as const;

function exported(r: AuditRecord): Record<(typeof EXPORT_COLUMNS)[number], unknown> {
  return {
    id: r.id,
    at: r.position,
    actorId: r.actorId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    ip: r.ip,
    userAgent: r.userAgent,
    requestId: r.requestId,
    metadata: r.metadata,
  };
}

/** One JSON object per line. */
export function ndjsonLines(records: AuditRecord[]): string {
  return records.map((r) => `${JSON.stringify(exported(r))}\n`).join('');
}

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would read as a formula (starting with
 * = + - @, or a tab or carriage return that some strip first) is prefixed with a single quote,
 * so opening the export cannot run anything a user typed into an audited field (CSV injection).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = `${EXPORT_COLUMNS.join(',')}\r\n`;

export function csvLines(records: AuditRecord[]): string {
  return records
    .map((r) => {
      const row = exported(r);
      return `${EXPORT_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
    })
    .join('');
}
