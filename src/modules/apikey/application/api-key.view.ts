import type { ApiKey } from '../domain/api-key';
import type { TenantRole } from '../domain/ports';

/** A key as lists show it: never its secret, never its hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  roles: string[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function summarize(key: ApiKey, roles: TenantRole[]): ApiKeySummary {
  const p = key.toProps();
  const names = new Map(roles.map((r) => [r.id, r.name]));
  return {
    id: p.id,
    name: p.name,
    prefix: p.prefix,
    // A role deleted since grants nothing and is not shown.
    roles: p.roleIds.flatMap((id) => (names.has(id) ? [names.get(id)!] : [])).sort(),
    createdBy: p.createdBy,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
    lastUsedAt: p.lastUsedAt,
    revokedAt: p.revokedAt,
  };
}
