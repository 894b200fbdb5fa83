// What other modules may use of the user context.
export { USER_REPOSITORY } from './application/tokens';
export { Email } from './domain/email';
export { EmailTakenError, UserNotFoundError } from './domain/errors';
export { User, type UserStatus } from './domain/user';
export type { UserRepository } from './domain/user.repository';
export { toUserView, userView, type UserView } from './presentation/user.view';
