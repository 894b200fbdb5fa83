import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { SOCKET_EVENTS } from '../../realtime/realtime.public';
import type { MemberRolesChanged, RoleChanged } from '../../role/role.public';
import type {
  InvitationAccepted,
  MemberInvited,
  MemberJoined,
  MemberRemoved,
  WorkspaceDeleted,
  WorkspaceUpdated,
} from '../../workspace/workspace.public';
import type { WebhookDispatcher } from '../application/webhook-dispatcher';
import type { WebhookEventType } from '../domain/webhook';

/**
 * The webhook event catalogue: each type's payload schema (the `data` of the body; payloads are
 * parsed through it before they are stored, so nothing undeclared leaves) and when it is sent.
 * The events the sockets carry reuse the socket catalogue's schemas. docs/webhooks.md is
 * generated from this list (`npm run docs:webhooks`); a test keeps them equal.
 */
export const WEBHOOK_EVENTS = {
  'workspace:member:joined': {
    when: 'A member joined the workspace (accepted an invitation)',
    payload: SOCKET_EVENTS['workspace:member:joined'].payload,
  },
  'workspace:member:removed': {
    when: 'A member was removed from the workspace (or left it)',
    payload: SOCKET_EVENTS['workspace:member:removed'].payload,
  },
  'workspace:role:updated': {
    when: 'A role was created, changed or deleted, its permissions changed, or a member’s roles were set (`assigned`)',
    payload: SOCKET_EVENTS['workspace:role:updated'].payload,
  },
  'workspace:updated': {
    when: 'The workspace’s name or settings changed (fetch GET /workspaces/{id})',
    payload: SOCKET_EVENTS['workspace:updated'].payload,
  },
  'workspace:deleted': {
    when: 'The workspace was deleted (the last event its endpoints receive)',
    payload: SOCKET_EVENTS['workspace:deleted'].payload,
  },
  'workspace:invitation:sent': {
    when: 'Someone was invited (or re-invited) to join the workspace',
    payload: z.object({ workspaceId: z.uuid(), email: z.string(), role: z.string() }),
  },
  'workspace:invitation:accepted': {
    when: 'An invitation was accepted (`workspace:member:joined` follows)',
    payload: z.object({ workspaceId: z.uuid(), invitationId: z.uuid(), userId: z.uuid(), role: z.string() }),
  },
} as const satisfies Record<WebhookEventType, { when: string; payload: z.ZodObject }>;

/** The body of every delivery: the event type, when it happened, and its payload. */
export const webhookBody = z.object({
  type: z.enum(Object.keys(WEBHOOK_EVENTS) as [WebhookEventType, ...WebhookEventType[]]),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

/**
 * Maps domain events to webhook deliveries: each mapping is an outbox subscriber, which fans
 * the event out to the workspace's subscribed endpoints in one tenant transaction.
 */
export function subscribeWebhookEvents(dispatcher: () => WebhookDispatcher, bus: EventBus): void {
  const send = <T extends WebhookEventType>(
    type: T,
    workspaceId: string,
    data: z.input<(typeof WEBHOOK_EVENTS)[T]['payload']>,
    occurredAt: string,
    job: Parameters<Parameters<EventBus['subscribe']>[2]>[1],
  ) => dispatcher().fanOut(workspaceId, type, WEBHOOK_EVENTS[type].payload.parse(data), occurredAt, job);

  bus.subscribe<MemberJoined>('MemberJoined', 'webhooks.member-joined', async ({ payload, occurredAt }, job) => {
    await send('workspace:member:joined', payload.workspaceId, payload, occurredAt, job);
  });
  bus.subscribe<MemberRemoved>('MemberRemoved', 'webhooks.member-removed', async ({ payload, occurredAt }, job) => {
    await send(
      'workspace:member:removed',
      payload.workspaceId,
      { workspaceId: payload.workspaceId, userId: payload.userId },
      occurredAt,
      job,
    );
  });
  bus.subscribe<RoleChanged>('RoleChanged', 'webhooks.role-changed', async ({ payload, occurredAt }, job) => {
    await send(
      'workspace:role:updated',
      payload.workspaceId,
      { workspaceId: payload.workspaceId, change: payload.change, roleId: payload.roleId },
      occurredAt,
      job,
    );
  });
  bus.subscribe<MemberRolesChanged>(
    'MemberRolesChanged',
    'webhooks.member-roles-changed',
    async ({ payload, occurredAt }, job) => {
      await send(
        'workspace:role:updated',
        payload.workspaceId,
        { workspaceId: payload.workspaceId, change: 'assigned', userId: payload.userId },
        occurredAt,
        job,
      );
    },
  );
  bus.subscribe<WorkspaceUpdated>('WorkspaceUpdated', 'webhooks.workspace-updated', async (event, job) => {
    const { workspaceId } = event.payload;
    await send('workspace:updated', workspaceId, { workspaceId }, event.occurredAt, job);
  });
  bus.subscribe<WorkspaceDeleted>('WorkspaceDeleted', 'webhooks.workspace-deleted', async (event, job) => {
    const { workspaceId } = event.payload;
    await send('workspace:deleted', workspaceId, { workspaceId }, event.occurredAt, job);
  });
  bus.subscribe<MemberInvited>('MemberInvited', 'webhooks.member-invited', async ({ payload, occurredAt }, job) => {
    await send(
      'workspace:invitation:sent',
      payload.workspaceId,
      { workspaceId: payload.workspaceId, email: payload.email, role: payload.role },
      occurredAt,
      job,
    );
  });
  bus.subscribe<InvitationAccepted>(
    'InvitationAccepted',
    'webhooks.invitation-accepted',
    async ({ payload, occurredAt }, job) => {
      await send('workspace:invitation:accepted', payload.workspaceId, payload, occurredAt, job);
    },
  );
}
