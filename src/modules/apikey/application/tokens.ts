import { Token } from 'typedi';
import type { ApiKeyRepository, TenantRoles } from '../domain/ports';

export const API_KEY_REPOSITORY = new Token<ApiKeyRepository>('ApiKeyRepository');
export const API_KEY_TENANT_ROLES = new Token<TenantRoles>('ApiKeyTenantRoles');
