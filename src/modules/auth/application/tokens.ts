import { Token } from 'typedi';
import type {
  DefaultWorkspace,
  EmailTokenRepository,
  MfaRepository,
  PasswordHasher,
  SessionRepository,
  SsoPolicy,
  TokenService,
  TotpService,
} from '../domain/ports';

export interface AuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  reuseWindowSeconds: number;
  sessionAbsoluteSeconds: number;
  sessionIdleSeconds: number;
  requireEmailVerification: boolean;
  verifyEmailTtlSeconds: number;
  resetPasswordTtlSeconds: number;
  frontendUrl: string;
  /** Lifetime of the token between the password step and the code step of an MFA sign-in. */
  mfaTokenTtlSeconds: number;
  /** Wrong codes a user may send per window, over all their MFA tokens, before every code is refused. */
  mfaMaxFailures: number;
  mfaFailureWindowSeconds: number;
  /** The issuer an authenticator app shows next to the account. */
  mfaIssuer: string;
}

export const AUTH_SETTINGS = new Token<AuthSettings>('AuthSettings');
export const SESSION_REPOSITORY = new Token<SessionRepository>('SessionRepository');
export const EMAIL_TOKEN_REPOSITORY = new Token<EmailTokenRepository>('EmailTokenRepository');
export const TOKEN_SERVICE = new Token<TokenService>('TokenService');
export const PASSWORD_HASHER = new Token<PasswordHasher>('PasswordHasher');
export const DEFAULT_WORKSPACE = new Token<DefaultWorkspace>('DefaultWorkspace');
export const SSO_POLICY = new Token<SsoPolicy>('SsoPolicy');
export const MFA_REPOSITORY = new Token<MfaRepository>('MfaRepository');
export const TOTP_SERVICE = new Token<TotpService>('TotpService');
