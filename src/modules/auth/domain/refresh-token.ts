export interface RefreshTokenProps {
  id: string;
  sessionId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  replacedBy: string | null;
  /** The successor token, encrypted, kept so a replay inside the grace window can get it back. */
  successorSealed: string | null;
}

export type Presentation =
  | { kind: 'fresh' }
  | { kind: 'expired' }
  | { kind: 'grace'; successorId: string; successorSealed: string }
  | { kind: 'reused' };

/** One single-use refresh token of a session. */
export class RefreshToken {
  private constructor(private props: RefreshTokenProps) {}

  static issue(input: {
    id: string;
    sessionId: string;
    tokenHash: string;
    now: Date;
    ttlSeconds: number;
  }): RefreshToken {
    return new RefreshToken({
      id: input.id,
      sessionId: input.sessionId,
      tokenHash: input.tokenHash,
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.ttlSeconds * 1000),
      usedAt: null,
      replacedBy: null,
      successorSealed: null,
    });
  }

  static restore(props: RefreshTokenProps): RefreshToken {
    return new RefreshToken({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get sessionId(): string {
    return this.props.sessionId;
  }

  /**
   * What presenting this token means. A used token is a replay: inside the grace window it is
   * the benign race of two tabs refreshing at once (only while its successor is still unused);
   * otherwise it is theft, and the caller revokes the family.
   */
  classify(now: Date, graceSeconds: number, successorUnused: boolean): Presentation {
    const { usedAt, replacedBy, successorSealed } = this.props;
    if (!usedAt) return now >= this.props.expiresAt ? { kind: 'expired' } : { kind: 'fresh' };
    const withinGrace = now.getTime() - usedAt.getTime() <= graceSeconds * 1000;
    if (withinGrace && successorUnused && replacedBy && successorSealed) {
      return { kind: 'grace', successorId: replacedBy, successorSealed };
    }
    return { kind: 'reused' };
  }

  markRotated(successorId: string, successorSealed: string, now: Date): void {
    this.props.usedAt = now;
    this.props.replacedBy = successorId;
    this.props.successorSealed = successorSealed;
  }

  get isUsed(): boolean {
    return this.props.usedAt !== null;
  }

  get replacedBy(): string | null {
    return this.props.replacedBy;
  }

  toProps(): Readonly<RefreshTokenProps> {
    return { ...this.props };
  }
}
