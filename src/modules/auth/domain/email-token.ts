import { ValidationError } from '../../../core/errors/app-error';

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

const PREFIX: Record<EmailTokenPurpose, string> = {
  verify_email: 'VERIFICATION',
  reset_password: 'RESET',
  change_email: 'EMAIL_CHANGE',
};

export class EmailTokenInvalidError extends ValidationError {
  constructor(purpose: EmailTokenPurpose) {
    super('The token is invalid', undefined, `${PREFIX[purpose]}_TOKEN_INVALID`);
  }
}

export class EmailTokenUsedError extends ValidationError {
  constructor(purpose: EmailTokenPurpose) {
    super('The token has already been used', undefined, `${PREFIX[purpose]}_TOKEN_USED`);
  }
}

export class EmailTokenExpiredError extends ValidationError {
  constructor(purpose: EmailTokenPurpose) {
    super('The token has expired', undefined, `${PREFIX[purpose]}_TOKEN_EXPIRED`);
  }
}

export interface EmailTokenProps {
  id: string;
  userId: string;
  purpose: EmailTokenPurpose;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  /** The address a change_email token proves (null for the other purposes). */
  newEmail: string | null;
}

/** A single-use secret sent by email; only its hash is stored. */
export class EmailToken {
  private constructor(private props: EmailTokenProps) {}

  static issue(
    input: Omit<EmailTokenProps, 'usedAt' | 'expiresAt' | 'newEmail'> & {
      now: Date;
      ttlSeconds: number;
      newEmail?: string;
    },
  ): EmailToken {
    const { now, ttlSeconds, newEmail, ...rest } = input;
    return new EmailToken({
      ...rest,
      newEmail: newEmail ?? null,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      usedAt: null,
    });
  }

  static restore(props: EmailTokenProps): EmailToken {
    return new EmailToken({ ...props });
  }

  get userId(): string {
    return this.props.userId;
  }
  get newEmail(): string | null {
    return this.props.newEmail;
  }

  consume(now: Date): void {
    if (this.props.usedAt) throw new EmailTokenUsedError(this.props.purpose);
    if (now >= this.props.expiresAt) throw new EmailTokenExpiredError(this.props.purpose);
    this.props.usedAt = now;
  }

  toProps(): Readonly<EmailTokenProps> {
    return { ...this.props };
  }
}
