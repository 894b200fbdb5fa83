import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SOCKET_EVENTS } from './socket-events';
import { renderEventCatalogue, withCatalogue } from './socket-docs';

const DOC = path.resolve(__dirname, '../../../../docs/realtime.md');

describe('docs/realtime.md', () => {
  test('when the event schemas change, then the document must be regenerated (npm run docs:realtime)', () => {
    const document = readFileSync(DOC, 'utf8');
    expect(withCatalogue(document)).toBe(document);
  });

  test('when rendered, then every catalogued event appears with its payload properties', () => {
    const rendered = renderEventCatalogue();
    for (const [name, event] of Object.entries(SOCKET_EVENTS)) {
      expect(rendered).toContain(`### \`${name}\``);
      for (const key of Object.keys(event.payload.shape)) expect(rendered).toContain(`"${key}"`);
    }
  });
});
