import { ConflictError, NotFoundError } from '../../../core/errors/app-error';

export class EmailTakenError extends ConflictError {
  constructor() {
    super('An account with this email already exists', 'EMAIL_TAKEN');
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('User not found', 'USER_NOT_FOUND');
  }
}
