import { Token } from 'typedi';
import type {
  DefaultWorkspace,
  EmailTokenRepository,
  PasswordHasher,
  SessionRepository,
  SsoPolicy,
  TokenService,
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
}

export const AUTH_SETTINGS = new Token<AuthSettings>('AuthSettings');
export const SESSION_REPOSITORY = new Token<SessionRepository>('SessionRepository');
export const EMAIL_TOKEN_REPOSITORY = new Token<EmailTokenRepository>('EmailTokenRepository');
export const TOKEN_SERVICE = new Token<TokenService>('TokenService');
export const PASSWORD_HASHER = new Token<PasswordHasher>('PasswordHasher');
export const DEFAULT_WORKSPACE = new Token<DefaultWorkspace>('DefaultWorkspace');
export const SSO_POLICY = new Token<SsoPolicy>('SsoPolicy');
