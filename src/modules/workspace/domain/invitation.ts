import { ForbiddenError, ValidationError } from '../../../core/errors/app-error';

export class InvitationInvalidError extends ValidationError {
  constructor(code = 'INVITATION_INVALID', message = 'The invitation is invalid') {
    super(message, undefined, code);
  }
}

export class InvitationEmailMismatchError extends ForbiddenError {
  constructor() {
    super('This invitation was sent to another email address', 'INVITATION_EMAIL_MISMATCH');
  }
}

export interface InvitationProps {
  id: string;
  email: string;
  roleName: string;
  tokenHash: string;
  invitedBy: string;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

/** An offer to join one workspace, for one email address, once, before it expires. */
export class Invitation {
  private constructor(private props: InvitationProps) {}

  static issue(
    input: Omit<InvitationProps, 'acceptedAt' | 'revokedAt' | 'expiresAt'> & { now: Date; ttlSeconds: number },
  ) {
    const { now, ttlSeconds, ...rest } = input;
    return new Invitation({
      ...rest,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      acceptedAt: null,
      revokedAt: null,
    });
  }

  static restore(props: InvitationProps): Invitation {
    return new Invitation({ ...props });
  }

  get id(): string {
    return this.props.id;
  }

  get roleName(): string {
    return this.props.roleName;
  }

  accept(email: string, now: Date): void {
    if (this.props.revokedAt)
      throw new InvitationInvalidError('INVITATION_REVOKED', 'The invitation was withdrawn or replaced');
    if (this.props.acceptedAt)
      throw new InvitationInvalidError('INVITATION_USED', 'The invitation has already been accepted');
    if (now >= this.props.expiresAt)
      throw new InvitationInvalidError('INVITATION_EXPIRED', 'The invitation has expired');
    if (email.toLowerCase() !== this.props.email.toLowerCase()) throw new InvitationEmailMismatchError();
    this.props.acceptedAt = now;
  }

  toProps(): Readonly<InvitationProps> {
    return { ...this.props };
  }
}
