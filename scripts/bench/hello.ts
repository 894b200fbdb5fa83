// The framework ceiling: a bare Koa app answering JSON, measured beside the API in the same run.
// HELLO_HELMET=1 adds the API's own security headers (the same koa-helmet set), so the ratio of
// the API to it isolates this project's middleware from the cost of the headers themselves.
import http from 'node:http';
import Koa from 'koa';
import { securityHeaders } from '../../src/core/middleware/security';

const app = new Koa();
if (process.env.HELLO_HELMET === '1') app.use(securityHeaders({ isProduction: true }));
app.use((ctx) => {
  ctx.body = { status: 'ok' };
});
const handle = app.callback();
const server = http.createServer((req, res) => void handle(req, res));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
