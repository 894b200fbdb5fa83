import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withWebhookCatalogue } from '../src/modules/webhook/presentation/webhook-docs';

// Regenerates the event catalogue of docs/webhooks.md from the webhook payload schemas.
const file = path.resolve(__dirname, '../../docs/webhooks.md');
writeFileSync(file, withWebhookCatalogue(readFileSync(file, 'utf8')));
process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
