import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { PASSWORD_HASHER, type PasswordHasher } from '../../auth/auth.public';
import {
  ACCOUNT_SECURITY,
  Email,
  USER_REPOSITORY,
  User,
  type AccountSecurity,
  type UserRepository,
} from '../../user/user.public';

/**
 * The account a provider-vouched address signs in as, in the current transaction: created on first
 * sign-in, or the existing one. An existing account whose address was never proven may have been
 * registered by someone else in advance (pre-hijacking): it loses the password chosen then and its
 * sessions, so only the address's owner, through the provider, holds it from now on.
 */
@Service()
export class SsoAccounts {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(ACCOUNT_SECURITY) private readonly security: AccountSecurity,
  ) {}

  async resolve(email: string, name: string | null, now: Date): Promise<User> {
    const existing = await this.users.findByEmail(Email.create(email));
    if (existing?.isVerified) return existing;
    if (existing) {
      existing.changePasswordHash(await this.unusablePassword(), now);
      existing.verifyEmail(now);
      await this.users.save(existing);
      await this.security.endSessions(existing.id, 'sso_claimed_unverified_account');
      return existing;
    }
    const user = User.register({
      id: randomUUID(),
      email: Email.create(email),
      name: name?.slice(0, 100) || email,
      passwordHash: await this.unusablePassword(),
      now,
    });
    user.verifyEmail(now);
    await this.users.create(user);
    return user;
  }

  /** The hash of a secret nobody is told: the account has no password until its owner resets one. */
  private unusablePassword(): Promise<string> {
    return this.hasher.hash(randomBytes(32).toString('base64url'));
  }
}
