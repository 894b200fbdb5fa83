// What other modules may use of the user context.
export { ACCOUNT_SECURITY, USER_REPOSITORY } from './application/tokens';
export { Email } from './domain/email';
export { EmailTakenError, UserNotFoundError, WrongPasswordError } from './domain/errors';
export type { UserDeleted, UserPasswordChanged, UserStatusChanged } from './domain/events';
export type { AccountSecurity } from './domain/ports';
export { User, type UserStatus } from './domain/user';
export type { UserRepository } from './domain/user.repository';
export { toUserView, userView, type UserView } from './presentation/user.view';
