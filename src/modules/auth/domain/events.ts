import type { DomainEvent } from '../../../core/domain/domain-event';

export type UserRegistered = DomainEvent<'UserRegistered', { userId: string }>;
export type UserLoggedIn = DomainEvent<'UserLoggedIn', { userId: string; sessionId: string }>;
export type UserLoggedOut = DomainEvent<'UserLoggedOut', { userId: string; sessionIds: string[] }>;
export type PasswordReset = DomainEvent<'PasswordReset', { userId: string }>;
export type EmailVerified = DomainEvent<'EmailVerified', { userId: string }>;
export type EmailChanged = DomainEvent<'EmailChanged', { userId: string }>;
/** Sessions that ended for another reason than a logout (e.g. replaced by a workspace switch). */
export type SessionsEnded = DomainEvent<'SessionsEnded', { userId: string; sessionIds: string[]; reason: string }>;
