import { UnauthorizedError } from '../../../core/errors/app-error';

export interface ApiKeyProps {
  id: string;
  workspaceId: string;
  prefix: string;
  name: string;
  roleIds: string[];
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export class ApiKeyInvalidError extends UnauthorizedError {
  constructor(code = 'API_KEY_INVALID', message = 'The API key is invalid') {
    super(message, code);
  }
}

/** A workspace service account: acts in one workspace with the permissions of its roles, until revoked or expired. */
export class ApiKey {
  private constructor(private readonly props: ApiKeyProps) {}

  static restore(props: ApiKeyProps): ApiKey {
    return new ApiKey({ ...props, roleIds: [...props.roleIds] });
  }

  get id(): string {
    return this.props.id;
  }

  get workspaceId(): string {
    return this.props.workspaceId;
  }

  get revokedAt(): Date | null {
    return this.props.revokedAt;
  }

  toProps(): Readonly<ApiKeyProps> {
    return { ...this.props, roleIds: [...this.props.roleIds] };
  }

  /** Throws unless the key may authenticate a request at `now`. */
  assertUsable(now: Date): void {
    if (this.props.revokedAt) throw new ApiKeyInvalidError('API_KEY_REVOKED', 'The API key was revoked');
    if (this.props.expiresAt && now >= this.props.expiresAt) {
      throw new ApiKeyInvalidError('API_KEY_EXPIRED', 'The API key has expired');
    }
  }

  /** Idempotent: a revoked key keeps its first revocation time. */
  revoke(now: Date): boolean {
    if (this.props.revokedAt) return false;
    this.props.revokedAt = now;
    return true;
  }
}
