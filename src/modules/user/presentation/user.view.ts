import { z } from '../../../core/http/zod';
import type { User } from '../domain/user';

/** What clients see of a user: never the password hash. */
export const userView = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    status: z.enum(['pending_verification', 'active', 'inactive', 'banned']),
    emailVerified: z.boolean(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

export type UserView = z.infer<typeof userView>;

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email.value,
    name: user.name,
    status: user.status,
    emailVerified: user.isVerified,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
