import { ForbiddenError, UnauthorizedError } from '../../../core/errors/app-error';

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
