import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { CursorCodec, cursorQuery } from '../../../core/http/cursor';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import {
  createWebhookInput,
  ManageWebhooks,
  rotateSecretInput,
  updateWebhookInput,
} from '../application/manage-webhooks.use-case';
import {
  WEBHOOK_EVENT_TYPES,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../domain/webhook';

const TAGS = ['Webhooks'];
const PERMISSION = 'webhooks.manage';

const webhookView = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({ description: 'Why the server disabled it (persistent failure)' }),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'Until then the secret before the last rotation signs too' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Webhook');

const webhookWithSecret = webhookView
  .extend({
    secret: z.string().openapi({
      description: 'The signing secret (Standard Webhooks `whsec_…`): shown in this answer only',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
  })
  .openapi('WebhookWithSecret');

const attemptView = z.object({
  attempt: z.number().int(),
  at: z.string(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  responseBody: z.string().nullable().openapi({ description: 'The first 1 KiB of the answer at most' }),
});

const deliveryView = z
  .object({
    id: z.uuid().openapi({ description: 'Also the `webhook-id` header of every attempt' }),
    webhookId: z.uuid(),
    eventType: z.string(),
    status: z.enum(['pending', 'retrying', 'succeeded', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastDurationMs: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    attemptLog: z.array(attemptView),
  })
  .openapi('WebhookDelivery');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function viewOf(e: WebhookEndpoint): z.input<typeof webhookView> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt:
      e.previousSecretExpiresAt && e.previousSecretSealed ? e.previousSecretExpiresAt.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function deliveryViewOf(d: WebhookDelivery & { attemptLog?: WebhookAttempt[] }): z.input<typeof deliveryView> {
  return {
    id: d.id,
    webhookId: d.endpointId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastDurationMs: d.lastDurationMs,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    attemptLog: (d.attemptLog ?? []).map((a) => ({ ...a, at: a.at.toISOString() })),
  };
}

const inWorkspace = z.strictObject({ workspaceId: z.uuid() });
const byWebhook = z.strictObject({ workspaceId: z.uuid(), webhookId: z.uuid() });
const byDelivery = z.strictObject({ workspaceId: z.uuid(), webhookId: z.uuid(), deliveryId: z.uuid() });
const deliveryPosition = z.strictObject({ t: z.iso.datetime(), id: z.uuid() });

/** Webhook endpoints of the active workspace, their deliveries, retries and secret rotation (ADR 0015). */
export function webhookRoutes(container: ContainerInstance): RouteSpec[] {
  const webhooks = () => container.get(ManageWebhooks);
  const cursors = new CursorCodec(container.get(TOKENS.config).auth.dataEncryptionKey, 'webhook-deliveries-cursor');
  return [
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/webhooks',
      tags: TAGS,
      summary: 'Create a webhook endpoint (the signing secret is in this answer only)',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: inWorkspace, body: createWebhookInput },
      response: { status: 201, description: 'The endpoint and its secret', schema: webhookWithSecret },
      errors: [403, 404, 422],
      handler: async ({ body }) => {
        const { endpoint, secret } = await webhooks().create(body);
        return { ...viewOf(endpoint), secret };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/webhooks',
      tags: TAGS,
      summary: 'The workspace’s webhook endpoints',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: inWorkspace },
      response: { status: 200, description: 'Endpoints, oldest first', schema: z.array(webhookView) },
      errors: [403, 404],
      handler: async () => (await webhooks().list()).map(viewOf),
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/webhooks/:webhookId',
      tags: TAGS,
      summary: 'One webhook endpoint',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: byWebhook },
      response: { status: 200, description: 'The endpoint', schema: webhookView },
      errors: [403, 404],
      handler: async ({ params }) => viewOf(await webhooks().get(params.webhookId)),
    }),
    defineRoute({
      method: 'put',
      path: '/workspaces/:workspaceId/webhooks/:webhookId',
      tags: TAGS,
      summary: 'Change an endpoint’s URL, event types, description, or enable/disable it',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: byWebhook, body: updateWebhookInput },
      response: { status: 200, description: 'The endpoint', schema: webhookView },
      errors: [403, 404, 422],
      handler: async ({ params, body }) => viewOf(await webhooks().update(params.webhookId, body)),
    }),
    defineRoute({
      method: 'delete',
      path: '/workspaces/:workspaceId/webhooks/:webhookId',
      tags: TAGS,
      summary: 'Delete an endpoint with its delivery log (pending deliveries are dropped)',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: byWebhook },
      response: { status: 204, description: 'Deleted' },
      errors: [403, 404],
      handler: async ({ params }) => webhooks().delete(params.webhookId),
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/webhooks/:webhookId/rotate-secret',
      tags: TAGS,
      summary: 'New signing secret (shown once); the previous one also signs for the overlap (default 24 h)',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: byWebhook, body: rotateSecretInput },
      response: { status: 200, description: 'The endpoint and its new secret', schema: webhookWithSecret },
      errors: [403, 404],
      handler: async ({ params, body }) => {
        const { endpoint, secret } = await webhooks().rotateSecret(params.webhookId, body.overlapSeconds);
        return { ...viewOf(endpoint), secret };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/webhooks/:webhookId/deliveries',
      tags: TAGS,
      summary: 'The endpoint’s delivery log, newest first, with every attempt (status code, duration)',
      description:
        'Cursor-paginated: pass `meta.nextCursor` as `?cursor=` for the next page (null on the last). ' +
        'A cursor that was altered is a 400 `INVALID_CURSOR`.',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: byWebhook, query: cursorQuery },
      response: { status: 200, description: 'A page of deliveries', schema: deliveryView, paginated: 'cursor' },
      errors: [403, 404],
      handler: async ({ params, query }) => {
        const after = query.cursor ? cursors.decode(query.cursor, deliveryPosition) : null;
        const page = await webhooks().deliveries(params.webhookId, {
          limit: query.limit,
          after: after ? { createdAt: new Date(after.t), id: after.id } : null,
        });
        return {
          items: page.items.map(deliveryViewOf),
          meta: {
            limit: query.limit,
            nextCursor: page.next ? cursors.encode({ t: page.next.createdAt.toISOString(), id: page.next.id }) : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/webhooks/:webhookId/deliveries/:deliveryId/retry',
      tags: TAGS,
      summary: 'Send a finished delivery again now (one attempt, the same webhook-id)',
      auth: 'workspace',
      permission: PERMISSION,
      request: { params: byDelivery },
      response: { status: 202, description: 'Queued', schema: deliveryView },
      errors: [403, 404, 409],
      handler: async ({ params }) =>
        deliveryViewOf(await webhooks().retry(params.webhookId, params.deliveryId, params.workspaceId)),
    }),
  ];
}
