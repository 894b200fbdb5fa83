import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { Email, User } from '../../user/user.public';
import { Authenticator } from './authenticator.service';
import type { authFixture } from './fakes.test-support';
import { LoginUser } from './login-user.use-case';
import { Logout } from './logout.use-case';
import { RefreshSession } from './refresh-session.use-case';
import { RegisterUser } from './register-user.use-case';
import { EMAIL_TOKEN_JOB, RequestEmailToken } from './request-email-token.use-case';
import { ResetPassword } from './reset-password.use-case';
import { SessionIssuer } from './session-issuer.service';
import { VerifyEmail } from './verify-email.use-case';

type Fixture = ReturnType<typeof authFixture>;

/** Builds each use case from a fixture's fakes, in constructor order. */
export function build(f: Fixture) {
  const events = f.events as unknown as EventBus;
  const issuer = new SessionIssuer(f.sessions, f.tokens, f.settings, f.decisions, f.clock);
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
  return {
    issuer,
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
    login: new LoginUser(
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
    ),
    refresh: new RefreshSession(f.sessions, f.users, f.tokens, f.settings, f.tx, f.audit, f.clock, issuer, events),
    logout: new Logout(f.sessions, f.tx, f.cache, events, f.audit, f.clock, issuer),
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
