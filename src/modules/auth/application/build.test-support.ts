import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { Email, User } from '../../user/user.public';
import { ActivateTotp } from './activate-totp.use-case';
import { Authenticator } from './authenticator.service';
import { CompleteMfaChallenge } from './complete-mfa-challenge.use-case';
import { DisableTotp } from './disable-totp.use-case';
import { EnrolTotp } from './enrol-totp.use-case';
import { MfaChallenges } from './mfa-challenges.service';
import { MfaCodeCheck } from './mfa-code-check.service';
import { MfaStatus } from './mfa-status.service';
import type { authFixture } from './fakes.test-support';
import { ListSessions } from './list-sessions.use-case';
import { LoginUser, type LoginInput } from './login-user.use-case';
import { Logout } from './logout.use-case';
import { RefreshSession } from './refresh-session.use-case';
import { RegisterUser } from './register-user.use-case';
import { EMAIL_TOKEN_JOB, RequestEmailToken } from './request-email-token.use-case';
import { ResetPassword } from './reset-password.use-case';
import { RevokeSession } from './revoke-session.use-case';
import { SessionIssuer } from './session-issuer.service';
import { VerifyEmail } from './verify-email.use-case';

type Fixture = ReturnType<typeof authFixture>;

/** Builds each use case from a fixture's fakes, in constructor order. */
export function build(f: Fixture) {
  const events = f.events as unknown as EventBus;
  const issuer = new SessionIssuer(f.sessions, f.tokens, f.settings, f.decisions, f.clock);
  const mfaChallenges = new MfaChallenges(f.mfa, f.tokens, f.settings, f.clock);
  const mfaStatus = new MfaStatus(f.mfa, f.decisions);
  const mfaCheck = new MfaCodeCheck(f.mfa, f.totp, f.tokens, f.settings, f.cache, f.audit, f.clock);
  const request = new RequestEmailToken(
    f.users,
    f.emailTokens,
    f.tokens,
    f.settings,
    f.tx,
    f.mailer,
    f.outbox,
    f.receipts,
    f.audit,
    f.clock,
  );
  // As the auth module does: the job that carries out an accepted request.
  f.outbox.handle<Parameters<RequestEmailToken['issue']>[0]>(EMAIL_TOKEN_JOB, (data, job) => request.issue(data, job));
  const loginUser = new LoginUser(
    f.users,
    f.hasher,
    f.settings,
    f.tx,
    events,
    f.audit,
    f.clock,
    { for: async () => undefined },
    issuer,
    { requiredFor: async () => false },
    mfaChallenges,
  );
  return {
    issuer,
    /** The password step as it is: tokens, or an MFA token when the account has a second factor. */
    loginUser,
    /** A sign-in expected to finish at the password step (no second factor). */
    login: {
      execute: async (input: LoginInput) => {
        const result = await loginUser.execute(input);
        if ('mfaRequired' in result) throw new Error('unexpected MFA step');
        return result;
      },
    },
    register: new RegisterUser(
      f.users,
      f.emailTokens,
      f.hasher,
      f.tokens,
      f.settings,
      f.tx,
      f.mailer,
      events,
      f.audit,
      f.clock,
    ),
    verify: new VerifyEmail(f.users, f.emailTokens, f.tokens, f.tx, events, f.audit, f.clock),
    request,
    refresh: new RefreshSession(f.sessions, f.users, f.tokens, f.settings, f.tx, f.audit, f.clock, issuer, events),
    logout: new Logout(f.sessions, f.tx, f.cache, events, f.audit, f.clock, issuer),
    listSessions: new ListSessions(f.sessions, f.settings, f.clock),
    revokeSession: new RevokeSession(f.sessions, f.settings, f.tx, events, f.audit, f.clock, issuer),
    reset: new ResetPassword(
      f.users,
      f.emailTokens,
      f.sessions,
      f.hasher,
      f.tokens,
      f.tx,
      f.mailer,
      events,
      f.audit,
      f.clock,
      issuer,
    ),
    enrolTotp: new EnrolTotp(f.mfa, f.totp, f.users, f.settings, f.tx, f.audit, f.clock),
    activateTotp: new ActivateTotp(f.mfa, f.tokens, f.tx, f.audit, f.clock, mfaCheck, mfaStatus),
    disableTotp: new DisableTotp(f.mfa, f.users, f.hasher, f.tx, f.audit, mfaCheck, mfaStatus),
    completeMfa: new CompleteMfaChallenge(
      f.mfa,
      f.users,
      f.tokens,
      f.settings,
      f.tx,
      events,
      f.audit,
      f.clock,
      { for: async () => undefined },
      mfaCheck,
      issuer,
    ),
    mfaStatus,
    authenticator: new Authenticator(f.tokens, f.sessions, f.users, f.settings, f.decisions, f.clock),
  };
}

export const PASSWORD = 'a long enough passphrase';

/** A stored user, with the fake hasher's hash of PASSWORD. */
export async function seedUser(
  f: Fixture,
  status: User['status'] = 'active',
  email = 'ada@example.com',
): Promise<User> {
  const user = User.register({
    id: `user-${email}`,
    email: Email.create(email),
    name: 'Ada',
    passwordHash: `hashed:${PASSWORD}`,
    now: f.clock.now(),
  });
  if (status !== 'pending_verification') user.verifyEmail(f.clock.now());
  await f.users.create(user);
  if (status === 'banned' || status === 'inactive') {
    f.users.rows.set(user.id, { ...user.toProps(), status });
  }
  return (await f.users.findById(user.id))!;
}

export function tokenFromLink(text: string): string {
  const match = /token=([^\s&]+)/.exec(text);
  if (!match?.[1]) throw new Error('no token link in the email');
  return decodeURIComponent(match[1]);
}
