import { Token } from 'typedi';
import type { LifecycleDirectory, TenantArchiver } from '../domain/ports';

export const TENANT_ARCHIVER = new Token<TenantArchiver>('TenantArchiver');
export const LIFECYCLE_DIRECTORY = new Token<LifecycleDirectory>('LifecycleDirectory');
