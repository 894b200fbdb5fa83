// What other modules may use of the auth context.
export { Authenticator } from './application/authenticator.service';
export { SessionIssuer, type TokenPair } from './application/session-issuer.service';
export { SESSION_REPOSITORY } from './application/tokens';
export { Password } from './domain/password';
export type { PasswordHasher, SessionRepository } from './domain/ports';
export { PASSWORD_HASHER } from './application/tokens';
export { DEFAULT_WORKSPACE } from './application/tokens';
export { SSO_POLICY } from './application/tokens';
export type { SsoPolicy } from './domain/ports';
export type { DefaultWorkspace } from './domain/ports';
export { TOKEN_SERVICE } from './application/tokens';
export type { TokenService } from './domain/ports';
export type { PasswordReset, SessionsEnded, UserLoggedOut } from './domain/events';
export { authRateLimit } from './presentation/auth-rate-limit';
