import type { DomainEvent } from '../../../core/domain/domain-event';

export type WorkspaceCreated = DomainEvent<'WorkspaceCreated', { workspaceId: string; ownerId: string }>;
export type WorkspaceUpdated = DomainEvent<'WorkspaceUpdated', { workspaceId: string }>;
export type WorkspaceDeleted = DomainEvent<'WorkspaceDeleted', { workspaceId: string }>;
