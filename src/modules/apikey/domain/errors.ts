import { ForbiddenError, NotFoundError, UnprocessableError } from '../../../core/errors/app-error';

export class ApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('API key not found', 'API_KEY_NOT_FOUND');
  }
}

/** What an API key may never do: sign in as a person, manage its own kind, or leave its workspace. */
export class ApiKeyNotAllowedError extends ForbiddenError {
  constructor(message = 'An API key cannot call this route') {
    super(message, 'API_KEY_NOT_ALLOWED');
  }
}

export class ApiKeyRoleNotFoundError extends UnprocessableError {
  constructor(names: string[]) {
    super(`No role named ${names.join(', ')} in this workspace`, 'ROLE_NOT_FOUND');
  }
}

export class ApiKeyExpiryError extends UnprocessableError {
  constructor() {
    super('expiresAt must be in the future', 'API_KEY_EXPIRY_IN_PAST');
  }
}
