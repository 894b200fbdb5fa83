import type { DomainEvent } from '../../../core/domain/domain-event';

/** The server disabled an endpoint whose delivery kept failing for the whole retry window. */
export type WebhookDisabled = DomainEvent<
  'WebhookDisabled',
  { workspaceId: string; webhookId: string; url: string; deliveryId: string }
>;
