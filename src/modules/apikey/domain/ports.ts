import type { Page } from '../../../core/domain/page';
import type { ApiKey } from './api-key';

/** What the request path needs to authenticate a key, cached between requests. */
export interface ApiKeyCredential {
  id: string;
  workspaceId: string;
  /** Of an active workspace only: null when the workspace is deleted or not active. */
  schemaName: string | null;
  prefix: string;
  name: string;
  roleIds: string[];
  /** SHA-256 of the secret, base64 (the cache stores JSON). */
  secretHash: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** public.api_keys. */
export interface ApiKeyRepository {
  create(key: ApiKey, secretHash: Buffer): Promise<void>;
  findCredential(prefix: string): Promise<ApiKeyCredential | null>;
  findById(workspaceId: string, id: string): Promise<ApiKey | null>;
  list(workspaceId: string, page: { page: number; limit: number }): Promise<Page<ApiKey>>;
  save(key: ApiKey): Promise<void>;
  prefixesOf(workspaceId: string): Promise<string[]>;
  /** Records a use; outside any transaction (the caller throttles it). */
  touch(id: string, at: Date): Promise<void>;
}

export interface TenantRole {
  id: string;
  name: string;
}

/** The current tenant's roles, as keys see them. */
export interface TenantRoles {
  /** The roles of these names that exist (in any order). */
  findByNames(names: string[]): Promise<TenantRole[]>;
  findByIds(ids: string[]): Promise<TenantRole[]>;
}
