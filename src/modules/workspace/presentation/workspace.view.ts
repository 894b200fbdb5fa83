import { z } from '../../../core/http/zod';
import type { MemberRecord } from '../domain/ports';
import type { Workspace } from '../domain/workspace';

export const workspaceView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    status: z.enum(['provisioning', 'active', 'suspended', 'deleted']),
    ownerId: z.uuid(),
    settings: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('Workspace');

export const memberView = z
  .object({ userId: z.uuid(), email: z.string(), name: z.string(), roles: z.array(z.string()), joinedAt: z.string() })
  .openapi('Member');

/** The schema name is an internal routing detail and is never shown. */
export const toWorkspaceView = (w: Workspace): z.infer<typeof workspaceView> => ({
  id: w.id,
  name: w.name,
  slug: w.slug.value,
  status: w.status,
  ownerId: w.ownerId,
  settings: w.settings,
  createdAt: w.createdAt.toISOString(),
});

export const toMemberView = (m: MemberRecord): z.infer<typeof memberView> => ({
  ...m,
  joinedAt: m.joinedAt.toISOString(),
});
