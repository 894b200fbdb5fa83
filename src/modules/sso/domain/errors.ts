import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableError,
} from '../../../core/errors/app-error';

export class SsoNotConfiguredError extends NotFoundError {
  constructor() {
    super('Single sign-on is not configured for this address or workspace', 'SSO_NOT_CONFIGURED');
  }
}

export class SsoDomainNotFoundError extends NotFoundError {
  constructor() {
    super('This domain is not claimed by the workspace', 'SSO_DOMAIN_NOT_FOUND');
  }
}

export class SsoDomainTakenError extends ConflictError {
  constructor() {
    super('Another workspace has verified this domain', 'SSO_DOMAIN_TAKEN');
  }
}

export class SsoDomainNotVerifiedError extends UnprocessableError {
  constructor() {
    super('The DNS TXT record was not found; publish it and try again', 'SSO_DOMAIN_NOT_VERIFIED');
  }
}

export class SsoRoleNotFoundError extends UnprocessableError {
  constructor() {
    super('No role of this name in the workspace', 'ROLE_NOT_FOUND');
  }
}

export class SsoIssuerInvalidError extends UnprocessableError {
  constructor(message = 'The issuer must be an https URL') {
    super(message, 'SSO_ISSUER_INVALID');
  }
}

/** The sign-in did not complete: state unknown or used, provider refused, claims not acceptable. */
export class SsoLoginFailedError extends UnauthorizedError {
  constructor(code = 'SSO_LOGIN_FAILED', message = 'Single sign-on failed', options?: { cause?: unknown }) {
    super(message, code);
    if (options?.cause) this.cause = options.cause;
  }
}

export class SsoProviderUnavailableError extends ServiceUnavailableError {
  constructor(options?: { cause?: unknown }) {
    super('The identity provider could not be reached', 'SSO_PROVIDER_UNAVAILABLE');
    if (options?.cause) (this as Error).cause = options.cause;
  }
}
