import { ConflictError, NotFoundError, UnprocessableError } from '../../../core/errors/app-error';

export class WorkspaceNotFoundError extends NotFoundError {
  constructor() {
    super('Workspace not found', 'WORKSPACE_NOT_FOUND');
  }
}

export class WorkspaceExistsError extends ConflictError {
  constructor() {
    super('A workspace with this id exists here: import it as a copy (asNew) or purge it first', 'WORKSPACE_EXISTS');
  }
}

export class SlugTakenError extends ConflictError {
  constructor(slug: string) {
    super(`A live workspace already has the slug ${slug}: choose another`, 'SLUG_TAKEN');
  }
}

export class WorkspaceNotDeletedError extends UnprocessableError {
  constructor(status: string) {
    super(`Only a deleted workspace can be purged (this one is ${status}): delete it first`, 'WORKSPACE_NOT_DELETED');
  }
}

export class UnknownTenantDatabaseError extends UnprocessableError {
  constructor(shard: string, known: string[]) {
    super(
      `No tenant database is named "${shard}" (configured: ${known.join(', ')}; see TENANT_DATABASES)`,
      'TENANT_DATABASE_UNKNOWN',
    );
  }
}

export class TenantMoveConflictError extends ConflictError {
  constructor(message: string) {
    super(message, 'TENANT_MOVE_CONFLICT');
  }
}
