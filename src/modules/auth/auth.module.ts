import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { ACCOUNT_SECURITY } from '../user/user.public';
import { AuthAccountSecurity } from './application/account-security.service';
import { Authenticator } from './application/authenticator.service';
import { PurgeExpiredCredentials } from './application/purge-expired-credentials.use-case';
import { EMAIL_TOKEN_JOB, RequestEmailToken } from './application/request-email-token.use-case';
import type { EmailTokenPurpose } from './domain/email-token';
import {
  AUTH_SETTINGS,
  DEFAULT_WORKSPACE,
  EMAIL_TOKEN_REPOSITORY,
  PASSWORD_HASHER,
  SESSION_REPOSITORY,
  SSO_POLICY,
  TOKEN_SERVICE,
} from './application/tokens';
import { BcryptPasswordHasher } from './infrastructure/bcrypt-password-hasher';
import { JwtTokenService } from './infrastructure/jwt-token.service';
import { SequelizeEmailTokenRepository } from './infrastructure/sequelize-email-token.repository';
import { SequelizeSessionRepository } from './infrastructure/sequelize-session.repository';
import { bearerGuard } from './presentation/auth.guard';
import { authRoutes } from './presentation/auth.routes';

export const authModule: AppModule = {
  name: 'auth',
  register: (container) => {
    const config = container.get(TOKENS.config);
    const sequelize = container.get(TOKENS.sequelize);
    const { auth } = config;
    container.set(AUTH_SETTINGS, {
      accessTokenTtlSeconds: auth.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: auth.refreshTokenTtlSeconds,
      reuseWindowSeconds: auth.reuseWindowSeconds,
      sessionAbsoluteSeconds: auth.sessionAbsoluteSeconds,
      sessionIdleSeconds: auth.sessionIdleSeconds,
      requireEmailVerification: auth.requireEmailVerification,
      verifyEmailTtlSeconds: 24 * 3600,
      resetPasswordTtlSeconds: 3600,
      frontendUrl: config.frontendUrl,
    });
    // The clock is read through the container so a test can replace it after registration.
    const clock = { now: () => container.get(TOKENS.clock).now() };
    container.set(TOKEN_SERVICE, new JwtTokenService(auth, clock));
    container.set(PASSWORD_HASHER, new BcryptPasswordHasher(auth.bcryptRounds));
    container.set(SESSION_REPOSITORY, new SequelizeSessionRepository(sequelize));
    container.set(EMAIL_TOKEN_REPOSITORY, new SequelizeEmailTokenRepository(sequelize));
    // Until a workspace module binds its own, sessions start without a workspace.
    container.set(DEFAULT_WORKSPACE, { for: async () => undefined });
    // Until the sso module binds its own, no address is required to use single sign-on.
    container.set(SSO_POLICY, { requiredFor: async () => false });
    // The user context decides when passwords are checked and sessions end; this context knows how.
    container.set({ id: ACCOUNT_SECURITY, factory: () => container.get(AuthAccountSecurity) });
    const guards = container.get(TOKENS.guards);
    const bearer = bearerGuard(() => container.get(Authenticator));
    container.set(TOKENS.guards, {
      ...guards,
      auth: { ...guards.auth, user: () => [bearer] },
    });
  },
  routes: authRoutes,
  subscribe: (container) => {
    const jobs = container.get(TOKENS.jobs);
    jobs.handle<{ email: string; purpose: EmailTokenPurpose }>(EMAIL_TOKEN_JOB, (data, job) =>
      container.get(RequestEmailToken).issue(data, job),
    );
    // Housekeeping: tokens and sessions past any use, every hour.
    jobs.every('auth.purge-expired', '17 * * * *', async () => {
      await container.get(PurgeExpiredCredentials).execute();
    });
  },
};
