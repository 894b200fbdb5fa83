export interface TotpFactorProps {
  userId: string;
  /** The base32 seed, in clear only in memory: the repository seals it at rest. */
  secret: string;
  enabledAt: Date | null;
  /** RFC 6238 time step of the last accepted code: a code of that step or older is a replay. */
  lastUsedStep: number | null;
  createdAt: Date;
}

export type StepCheck = 'accepted' | 'replayed';

/** A user's authenticator app: pending until a first code proves the user holds the seed. */
export class TotpFactor {
  private constructor(private props: TotpFactorProps) {}

  static enrol(input: { userId: string; secret: string; now: Date }): TotpFactor {
    return new TotpFactor({
      userId: input.userId,
      secret: input.secret,
      enabledAt: null,
      lastUsedStep: null,
      createdAt: input.now,
    });
  }

  static restore(props: TotpFactorProps): TotpFactor {
    return new TotpFactor({ ...props });
  }

  get userId(): string {
    return this.props.userId;
  }
  get secret(): string {
    return this.props.secret;
  }
  get enabled(): boolean {
    return this.props.enabledAt !== null;
  }

  /** Records the step of a valid code; a step not newer than the last one used is refused. */
  useStep(step: number): StepCheck {
    if (this.props.lastUsedStep !== null && step <= this.props.lastUsedStep) return 'replayed';
    this.props.lastUsedStep = step;
    return 'accepted';
  }

  activate(now: Date): void {
    this.props.enabledAt ??= now;
  }

  toProps(): Readonly<TotpFactorProps> {
    return { ...this.props };
  }
}
