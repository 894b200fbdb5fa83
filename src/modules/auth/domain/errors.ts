import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../../core/errors/app-error';

export class InvalidCredentialsError extends UnauthorizedError {
  constructor() {
    super('Invalid email or password', 'INVALID_CREDENTIALS');
  }
}

export class AccountBannedError extends ForbiddenError {
  constructor() {
    super('This account is banned', 'ACCOUNT_BANNED');
  }
}

export class AccountInactiveError extends ForbiddenError {
  constructor() {
    super('This account is inactive', 'ACCOUNT_INACTIVE');
  }
}

export class EmailNotVerifiedError extends ForbiddenError {
  constructor() {
    super('Verify your email address before signing in', 'EMAIL_NOT_VERIFIED');
  }
}

export class RefreshTokenInvalidError extends UnauthorizedError {
  constructor(code = 'REFRESH_TOKEN_INVALID', message = 'The refresh token is invalid or expired') {
    super(message, code);
  }
}

export class RefreshTokenReusedError extends RefreshTokenInvalidError {
  constructor() {
    super('REFRESH_TOKEN_REUSED', 'The refresh token was already used; the session has been revoked');
  }
}

export class SessionEndedError extends RefreshTokenInvalidError {
  constructor() {
    super('SESSION_ENDED', 'The session has ended; sign in again');
  }
}

export class AccessTokenInvalidError extends UnauthorizedError {
  constructor(message = 'The access token is missing, invalid or expired') {
    super(message, 'TOKEN_INVALID');
  }
}

/** The address belongs to a verified domain of a workspace that requires single sign-on. */
export class SsoRequiredError extends ForbiddenError {
  constructor() {
    super('This account signs in through its organisation: use single sign-on', 'SSO_REQUIRED');
  }
}

/** Also for a session of another user: whether an id exists is not disclosed. */
export class SessionNotFoundError extends NotFoundError {
  constructor() {
    super('Session not found', 'SESSION_NOT_FOUND');
  }
}

export class MfaTokenInvalidError extends UnauthorizedError {
  constructor() {
    super('The MFA token is invalid, used or expired; sign in again', 'MFA_TOKEN_INVALID');
  }
}

export class MfaCodeInvalidError extends UnauthorizedError {
  constructor() {
    super('The code is not valid', 'MFA_CODE_INVALID');
  }
}

/** A valid code of a time step already used: a replay, refused even within its 30 seconds. */
export class MfaCodeReplayedError extends UnauthorizedError {
  constructor() {
    super('This code was already used; wait for the next one', 'MFA_CODE_REPLAYED');
  }
}

export class MfaAlreadyEnabledError extends ConflictError {
  constructor() {
    super('Two-factor authentication is already enabled', 'MFA_ALREADY_ENABLED');
  }
}

export class MfaNotEnrolledError extends ConflictError {
  constructor(message = 'Start the enrolment first (POST /auth/mfa/totp)') {
    super(message, 'MFA_NOT_ENROLLED');
  }
}
