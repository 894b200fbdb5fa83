import { z } from '../../../core/http/zod';
import type { User } from '../domain/user';
import { USER_STATUSES } from '../domain/user-status';

/** What a user sees of themself, and platform admins of anyone: never the password hash. */
export const userView = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    avatarUrl: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    status: z.enum(USER_STATUSES),
    emailVerified: z.boolean(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

/** What members of a workspace see of each other: no sign-in activity, no account state. */
export const userSummaryView = userView
  .pick({ id: true, email: true, name: true, avatarUrl: true, timezone: true, status: true, createdAt: true })
  .openapi('UserSummary');

export type UserView = z.infer<typeof userView>;
export type UserSummaryView = z.infer<typeof userSummaryView>;

export function toUserView(user: User): UserView {
  return {
    ...toUserSummaryView(user),
    locale: user.profile.locale,
    emailVerified: user.isVerified,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

export function toUserSummaryView(user: User): UserSummaryView {
  return {
    id: user.id,
    email: user.email.value,
    name: user.name,
    avatarUrl: user.profile.avatarUrl,
    timezone: user.profile.timezone,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}
