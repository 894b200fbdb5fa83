import { Token } from 'typedi';
import type { AuditLog } from './domain/audit-log';

export type { AuditEntry, AuditLog } from './domain/audit-log';

export const AUDIT_LOG = new Token<AuditLog>('AuditLog');
