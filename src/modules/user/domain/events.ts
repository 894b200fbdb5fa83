import type { DomainEvent } from '../../../core/domain/domain-event';
import type { UserStatus } from './user-status';

export type UserProfileUpdated = DomainEvent<'UserProfileUpdated', { userId: string }>;
export type UserStatusChanged = DomainEvent<
  'UserStatusChanged',
  { userId: string; from: UserStatus; to: UserStatus; by: string; sessionsEnded: boolean }
>;
export type UserDeleted = DomainEvent<'UserDeleted', { userId: string; by: string }>;
/** Every session but `keptSessionId` (the one that made the change) has ended. */
export type UserPasswordChanged = DomainEvent<'UserPasswordChanged', { userId: string; keptSessionId: string }>;
