import { ValidationError } from '../../../core/errors/app-error';

export const NAME_MAX = 100;
const AVATAR_URL_MAX = 2048;

/** What a user may say about themself. Each field is checked here, whatever the caller validated. */
export interface UserProfileProps {
  name: string;
  /** A URL of this API's avatar store, or an https URL the user gave; null when none. */
  avatarUrl: string | null;
  /** BCP 47 language tag, canonicalised (`en-GB`); null to follow the client. */
  locale: string | null;
  /** IANA time zone (`Europe/Paris`); null when unknown. */
  timezone: string | null;
}

function invalid(path: string, message: string): never {
  throw new ValidationError(message, [{ path, message }]);
}

export function canonicalLocale(raw: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(raw);
    return canonical ?? null;
  } catch {
    return null;
  }
}

export function isTimeZone(raw: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
    return raw.length <= 64;
  } catch {
    return false;
  }
}

function isAvatarUrl(raw: string): boolean {
  if (raw.length > AVATAR_URL_MAX) return false;
  if (raw.startsWith('/')) return /^\/api\/v1\/avatars\/[A-Za-z0-9._-]+$/.test(raw);
  try {
    return new URL(raw).protocol === 'https:';
  } catch {
    return false;
  }
}

/** A valid profile; `with` returns a changed copy, so an invalid change never half-applies. */
export class UserProfile {
  private constructor(private readonly props: UserProfileProps) {}

  static create(props: UserProfileProps): UserProfile {
    const name = props.name.trim();
    if (name.length < 1 || name.length > NAME_MAX) invalid('name', `The name must be 1 to ${NAME_MAX} characters`);
    if (/\p{Cc}/u.test(name)) invalid('name', 'The name must not contain control characters');
    if (props.avatarUrl !== null && !isAvatarUrl(props.avatarUrl)) {
      invalid('avatarUrl', 'The avatar must be an https URL or an uploaded avatar');
    }
    const locale = props.locale === null ? null : canonicalLocale(props.locale);
    if (props.locale !== null && (!locale || locale.length > 35)) invalid('locale', 'Not a BCP 47 language tag');
    if (props.timezone !== null && !isTimeZone(props.timezone)) invalid('timezone', 'Not an IANA time zone');
    return new UserProfile({ name, avatarUrl: props.avatarUrl, locale, timezone: props.timezone });
  }

  with(changes: Partial<UserProfileProps>): UserProfile {
    return UserProfile.create({ ...this.props, ...changes });
  }

  get name(): string {
    return this.props.name;
  }
  get avatarUrl(): string | null {
    return this.props.avatarUrl;
  }
  get locale(): string | null {
    return this.props.locale;
  }
  get timezone(): string | null {
    return this.props.timezone;
  }

  toProps(): Readonly<UserProfileProps> {
    return { ...this.props };
  }
}
