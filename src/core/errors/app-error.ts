/**
 * Errors with a stable machine-readable code. They know nothing of HTTP: the error
 * middleware maps each kind to a status in one table (http-error-table.ts).
 */
export interface ErrorDetail {
  path?: string;
  message: string;
  code?: string;
}

export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    public readonly code: string,
    message: string,
    public readonly details?: ErrorDetail[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

export class ValidationError extends AppError {
  readonly kind = 'validation';
  constructor(message = 'The request is invalid', details?: ErrorDetail[], code = 'VALIDATION_ERROR') {
    super(code, message, details);
  }
}

export class UnauthorizedError extends AppError {
  readonly kind = 'unauthorized';
  constructor(message = 'Authentication is required', code = 'UNAUTHORIZED') {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  readonly kind = 'forbidden';
  constructor(message = 'You may not do this', code = 'FORBIDDEN') {
    super(code, message);
  }
}

export class NotFoundError extends AppError {
  readonly kind = 'not_found';
  constructor(message = 'Not found', code = 'NOT_FOUND') {
    super(code, message);
  }
}

export class ConflictError extends AppError {
  readonly kind = 'conflict';
  constructor(message = 'The resource already exists or changed', code = 'CONFLICT') {
    super(code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly kind = 'payload_too_large';
  constructor(message = 'The request body is too large', code = 'PAYLOAD_TOO_LARGE') {
    super(code, message);
  }
}

/** A well-formed request that breaks a business rule. */
export class UnprocessableError extends AppError {
  readonly kind = 'unprocessable';
  constructor(message: string, code = 'UNPROCESSABLE') {
    super(code, message);
  }
}

export class RateLimitError extends AppError {
  readonly kind = 'rate_limited';
  constructor(
    message = 'Too many requests',
    public readonly retryAfterSeconds?: number,
    code = 'RATE_LIMITED',
  ) {
    super(code, message);
  }
}

export class ServiceUnavailableError extends AppError {
  readonly kind = 'unavailable';
  constructor(
    message = 'The service is temporarily unavailable',
    code = 'SERVICE_UNAVAILABLE',
    details?: ErrorDetail[],
    public readonly retryAfterSeconds?: number,
  ) {
    super(code, message, details);
  }
}

/**
 * A workspace that is being moved to another database (its writes are frozen for the copy), or
 * whose schema was just moved away from under a request routed before the switch. Nothing was
 * read or written: the client retries after the delay and reaches the workspace where it is now.
 */
export class TenantMovingError extends ServiceUnavailableError {
  constructor(retryAfterSeconds = 2) {
    super(
      'The workspace is being moved to another database; retry shortly',
      'TENANT_MOVING',
      undefined,
      retryAfterSeconds,
    );
  }
}
