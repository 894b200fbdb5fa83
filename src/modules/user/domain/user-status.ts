import { UnprocessableError } from '../../../core/errors/app-error';

export const USER_STATUSES = ['pending_verification', 'active', 'inactive', 'banned'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The statuses an administrator may set; pending_verification is only ever the start. */
export const SETTABLE_STATUSES = ['active', 'inactive', 'banned'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

export class StatusTransitionError extends UnprocessableError {
  constructor(message: string, code = 'STATUS_TRANSITION_REFUSED') {
    super(message, code);
  }
}

/**
 * Which administrative transitions exist. Every status may be banned; a ban is only lifted to
 * active; activating a pending account vouches for its address.
 */
const ALLOWED: Record<UserStatus, readonly SettableStatus[]> = {
  pending_verification: ['active', 'inactive', 'banned'],
  active: ['inactive', 'banned'],
  inactive: ['active', 'banned'],
  banned: ['active'],
};

export function assertTransition(from: UserStatus, to: SettableStatus): void {
  if (from === to) return;
  if (!ALLOWED[from].includes(to)) throw new StatusTransitionError(`A ${from} account cannot become ${to}`);
}

/** Whether a status still lets its sessions live (the auth context also checks verification). */
export function keepsSessions(status: UserStatus): boolean {
  return status === 'active' || status === 'pending_verification';
}
