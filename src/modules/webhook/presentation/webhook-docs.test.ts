import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook';
import { WEBHOOK_EVENTS } from './webhook-events';
import { renderWebhookCatalogue, withWebhookCatalogue } from './webhook-docs';

const DOC = path.resolve(__dirname, '../../../../docs/webhooks.md');

describe('docs/webhooks.md', () => {
  test('when the webhook event schemas change, then the document must be regenerated (npm run docs:webhooks)', () => {
    const document = readFileSync(DOC, 'utf8');
    expect(withWebhookCatalogue(document)).toBe(document);
  });

  test('when rendered, then every event type of the catalogue appears with its payload properties', () => {
    const rendered = renderWebhookCatalogue();
    expect(Object.keys(WEBHOOK_EVENTS).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const [type, event] of Object.entries(WEBHOOK_EVENTS)) {
      expect(rendered).toContain(`### \`${type}\``);
      for (const key of Object.keys(event.payload.shape)) expect(rendered).toContain(`"${key}"`);
    }
  });
});
