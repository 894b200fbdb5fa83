export type SessionState = 'active' | 'revoked' | 'expired';

export interface SessionProps {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** Absolute end of the session, whatever its activity. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The workspace this session's access tokens are scoped to (their `wid`). */
  workspaceId: string | null;
}

/** A login: the family of refresh tokens rotated from it. Revoking it kills all of them. */
export class Session {
  private constructor(private props: SessionProps) {}

  static start(input: {
    id: string;
    userId: string;
    now: Date;
    absoluteLifetimeSeconds: number;
    workspaceId?: string | null;
  }): Session {
    return new Session({
      id: input.id,
      userId: input.userId,
      createdAt: input.now,
      lastUsedAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.absoluteLifetimeSeconds * 1000),
      revokedAt: null,
      revokedReason: null,
      workspaceId: input.workspaceId ?? null,
    });
  }

  static restore(props: SessionProps): Session {
    return new Session({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get userId(): string {
    return this.props.userId;
  }
  get workspaceId(): string | null {
    return this.props.workspaceId;
  }

  state(now: Date, idleTimeoutSeconds: number): SessionState {
    if (this.props.revokedAt) return 'revoked';
    if (now >= this.props.expiresAt) return 'expired';
    if (now.getTime() - this.props.lastUsedAt.getTime() > idleTimeoutSeconds * 1000) return 'expired';
    return 'active';
  }

  touch(now: Date): void {
    this.props.lastUsedAt = now;
  }

  revoke(reason: string, now: Date): void {
    if (this.props.revokedAt) return;
    this.props.revokedAt = now;
    this.props.revokedReason = reason;
  }

  toProps(): Readonly<SessionProps> {
    return { ...this.props };
  }
}
