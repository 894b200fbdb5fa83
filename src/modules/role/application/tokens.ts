import { Token } from 'typedi';
import type { PermissionReader } from '../domain/ports';

export const PERMISSION_READER = new Token<PermissionReader>('PermissionReader');
