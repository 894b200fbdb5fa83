import { Token } from 'typedi';
import type {
  TenantInvitations,
  TenantMembers,
  TenantProvisioner,
  TenantSchemaAdmin,
  WorkspaceDirectory,
} from '../domain/ports';

export interface WorkspaceSettings {
  maxOwnedPerUser: number;
  invitationTtlSeconds: number;
  frontendUrl: string;
}

export const WORKSPACE_SETTINGS = new Token<WorkspaceSettings>('WorkspaceSettings');
export const WORKSPACE_DIRECTORY = new Token<WorkspaceDirectory>('WorkspaceDirectory');
export const TENANT_MEMBERS = new Token<TenantMembers>('TenantMembers');
export const TENANT_PROVISIONER = new Token<TenantProvisioner>('TenantProvisioner');
export const TENANT_INVITATIONS = new Token<TenantInvitations>('TenantInvitations');
export const TENANT_SCHEMA_ADMIN = new Token<TenantSchemaAdmin>('TenantSchemaAdmin');
