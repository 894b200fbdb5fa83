import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withCatalogue } from '../src/modules/realtime/presentation/socket-docs';

// Regenerates the event catalogue of docs/realtime.md from the socket event schemas.
const file = path.resolve(__dirname, '../../docs/realtime.md');
writeFileSync(file, withCatalogue(readFileSync(file, 'utf8')));
process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
