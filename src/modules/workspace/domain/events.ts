import type { DomainEvent } from '../../../core/domain/domain-event';

export type WorkspaceCreated = DomainEvent<'WorkspaceCreated', { workspaceId: string; ownerId: string }>;
export type WorkspaceUpdated = DomainEvent<'WorkspaceUpdated', { workspaceId: string }>;
export type WorkspaceDeleted = DomainEvent<'WorkspaceDeleted', { workspaceId: string }>;
export type MemberJoined = DomainEvent<'MemberJoined', { workspaceId: string; userId: string }>;
export type MemberRemoved = DomainEvent<'MemberRemoved', { workspaceId: string; userId: string; by: string }>;
export type MemberInvited = DomainEvent<'MemberInvited', { workspaceId: string; email: string; role: string }>;
/** An invitation was accepted: its invitee is now a member (MemberJoined follows in the same transaction). */
export type InvitationAccepted = DomainEvent<
  'InvitationAccepted',
  { workspaceId: string; invitationId: string; userId: string; role: string }
>;
