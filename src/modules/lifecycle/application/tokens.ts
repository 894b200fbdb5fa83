import { Token } from 'typedi';
import type { LifecycleDirectory, TenantArchiver, TenantMover } from '../domain/ports';

export const TENANT_ARCHIVER = new Token<TenantArchiver>('TenantArchiver');
export const LIFECYCLE_DIRECTORY = new Token<LifecycleDirectory>('LifecycleDirectory');
export const TENANT_MOVER = new Token<TenantMover>('TenantMover');
