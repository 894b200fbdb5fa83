import { Token } from 'typedi';
import type { GlobalRoleStore, PermissionReader, RoleRepository, TenantAuditReader } from '../domain/ports';

export const PERMISSION_READER = new Token<PermissionReader>('PermissionReader');
export const ROLE_REPOSITORY = new Token<RoleRepository>('RoleRepository');
export const TENANT_AUDIT_READER = new Token<TenantAuditReader>('TenantAuditReader');
export const GLOBAL_ROLE_STORE = new Token<GlobalRoleStore>('GlobalRoleStore');
