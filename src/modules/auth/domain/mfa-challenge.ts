export interface MfaChallengeProps {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** The step between a matched password and the code: an opaque, short-lived, single-use token. */
export class MfaChallenge {
  private constructor(private props: MfaChallengeProps) {}

  static issue(input: { id: string; userId: string; tokenHash: string; now: Date; ttlSeconds: number }): MfaChallenge {
    return new MfaChallenge({
      id: input.id,
      userId: input.userId,
      tokenHash: input.tokenHash,
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.ttlSeconds * 1000),
      usedAt: null,
    });
  }

  static restore(props: MfaChallengeProps): MfaChallenge {
    return new MfaChallenge({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get userId(): string {
    return this.props.userId;
  }

  isOpen(now: Date): boolean {
    return this.props.usedAt === null && now < this.props.expiresAt;
  }

  complete(now: Date): void {
    this.props.usedAt = now;
  }

  toProps(): Readonly<MfaChallengeProps> {
    return { ...this.props };
  }
}
