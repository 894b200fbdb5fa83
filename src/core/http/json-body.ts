import { parse as parseJson } from '@hapi/bourne';
import { text } from 'co-body';
import type { Middleware } from 'koa';
import { ValidationError } from '../errors/app-error';

/** The content types koa-body reads as JSON, kept so clients see no change. */
const JSON_TYPES = [
  'application/json',
  'application/json-patch+json',
  'application/vnd.api+json',
  'application/csp-report',
  'application/reports+json',
];
// RFC 8259 §2 whitespace, then an object or an array: bare scalars are not request bodies.
const OBJECT_OR_ARRAY = /^[ \t\n\r]*[[{]/;
// fatal: invalid UTF-8 throws instead of becoming U+FFFD (which would then be stored as if sent).
// ignoreBOM keeps a BOM in the text, where it fails the test above, as it did under koa-body.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(bytes: Buffer): unknown {
  let source: string;
  try {
    source = UTF8.decode(bytes);
  } catch {
    throw new ValidationError('The request body is not valid UTF-8', [], 'MALFORMED_JSON');
  }
  if (source === '') return {};
  try {
    if (!OBJECT_OR_ARRAY.test(source)) throw new SyntaxError('not an object or an array');
    // bourne refuses __proto__ keys (prototype poisoning) where JSON.parse would keep them.
    return parseJson(source, { protoAction: 'error' });
  } catch {
    throw new ValidationError('The request body is not valid JSON', [], 'MALFORMED_JSON');
  }
}

/**
 * JSON request bodies, read with koa-body's own reader (co-body: size limit, Content-Length
 * check, gzip/deflate) but as bytes, then decoded strictly. koa-body decodes with replacement
 * characters and has no option to refuse invalid UTF-8, so it no longer parses JSON here; it
 * still parses uploads (route-registry.ts).
 */
export function jsonBody(options: { limitKb: number; methods: string[] }): Middleware {
  const methods = new Set(options.methods.map((m) => m.toUpperCase()));
  return async (ctx, next) => {
    if (methods.has(ctx.method) && ctx.is(JSON_TYPES)) {
      // co-body passes `encoding` to raw-body, where false means "return the raw bytes".
      const bytes = (await text(ctx, {
        limit: `${options.limitKb}kb`,
        encoding: false as unknown as string,
      })) as Buffer;
      ctx.request.body = decode(bytes) as typeof ctx.request.body;
    }
    await next();
  };
}
