import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../../core/errors/app-error';

export class WorkspaceNotFoundError extends NotFoundError {
  constructor() {
    super('Workspace not found', 'WORKSPACE_NOT_FOUND');
  }
}

export class SlugTakenError extends ConflictError {
  constructor() {
    super('A workspace with this slug already exists', 'SLUG_TAKEN');
  }
}

export class WorkspaceRequiredError extends ForbiddenError {
  constructor() {
    super('Switch to a workspace first (POST /workspaces/{id}/switch)', 'WORKSPACE_REQUIRED');
  }
}

export class WorkspaceNotActiveError extends ForbiddenError {
  constructor() {
    super('This workspace is not your active workspace; switch to it first', 'WORKSPACE_NOT_ACTIVE');
  }
}

export class WorkspaceLimitError extends UnprocessableError {
  constructor(limit: number) {
    super(`You may own at most ${limit} workspaces`, 'WORKSPACE_LIMIT_REACHED');
  }
}

export class VerificationRequiredError extends ForbiddenError {
  constructor() {
    super('Verify your email address before creating a workspace', 'EMAIL_NOT_VERIFIED');
  }
}

export class AlreadyMemberError extends ConflictError {
  constructor() {
    super('This person is already a member of the workspace', 'ALREADY_MEMBER');
  }
}

export class RoleNotFoundError extends UnprocessableError {
  constructor() {
    super('No such role in this workspace', 'ROLE_NOT_FOUND');
  }
}

/** The workspace requires two-factor authentication (setting `requireMfa`) and the caller has none. */
export class MfaRequiredError extends ForbiddenError {
  constructor() {
    super('This workspace requires two-factor authentication: enable it at POST /auth/mfa/totp', 'MFA_REQUIRED');
  }
}
