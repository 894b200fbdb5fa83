import { ConflictError, NotFoundError, UnprocessableError } from '../../../core/errors/app-error';

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

export class WrongPasswordError extends UnprocessableError {
  constructor() {
    super('The current password is wrong', 'WRONG_PASSWORD');
  }
}

export class UseSelfServiceError extends UnprocessableError {
  constructor() {
    super('To delete your own account, call DELETE /users/me with your password', 'USE_SELF_SERVICE');
  }
}

export class AvatarNotFoundError extends NotFoundError {
  constructor() {
    super('Avatar not found', 'AVATAR_NOT_FOUND');
  }
}

export class ConcurrentUpdateError extends ConflictError {
  constructor() {
    super('The account changed while this request ran; retry', 'CONCURRENT_UPDATE');
  }
}
