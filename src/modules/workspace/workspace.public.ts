// What other modules may use of the workspace context.
export { WorkspaceAccessCache } from './application/workspace-access.service';
export { WORKSPACE_DIRECTORY } from './application/tokens';
export type { WorkspaceDirectory } from './domain/ports';
export type {
  InvitationAccepted,
  MemberInvited,
  MemberJoined,
  MemberRemoved,
  WorkspaceDeleted,
  WorkspaceUpdated,
} from './domain/events';
export { Slug } from './domain/slug';
export { JoinWorkspace } from './application/join-workspace.use-case';
