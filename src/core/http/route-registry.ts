import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import { koaBody } from 'koa-body';
import { PayloadTooLargeError, ValidationError, type ErrorDetail } from '../errors/app-error';
import { cursorPageEnvelope, dataEnvelope, errorEnvelope, pageEnvelope, type Page } from './envelope';
import { isHealthProbe } from './health.routes';
import { foldBareNullables } from './openapi-nullable';
import type { AuthMode, RouteSpec, UploadedFile } from './route';
import { compileSerializer } from './serializer';
import { z } from './zod';

export interface Guards {
  /**
   * The middlewares run before validation for each auth mode ('public' needs none), made once
   * per route when it is mounted (the workspace guard reads whether the route is read-only).
   */
  auth: Partial<Record<Exclude<AuthMode, 'public'>, (route: RouteSpec) => Middleware[]>>;
  permission?: (code: string) => Middleware;
}

export interface RegistryOptions {
  /** Compare every serialized response with zod's parse of it, and fail on a difference (tests). */
  verifyResponses?: boolean;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_ERROR) or malformed JSON',
  401: 'Missing, invalid or expired credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  422: 'A business rule refused the request',
  429: 'Rate limit exceeded (see Retry-After)',
  500: 'Unexpected error',
  503: 'A dependency is unavailable',
};

/** What the global rate limiter (core/middleware/rate-limit.ts) sets on every response it counts. */
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': 'Requests allowed per window for this client',
  'RateLimit-Remaining': 'Requests left in the current window',
  'RateLimit-Reset': 'Seconds until the window resets',
} as const;
const RETRY_AFTER = 'Retry-After';
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** `post /workspaces/:workspaceId/roles` -> `postWorkspacesByWorkspaceIdRoles`: stable and unique per route. */
function operationIdOf(route: RouteSpec): string {
  const words = route.path
    .split('/')
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const EMPTY = z.strictObject({});

function toDetails(location: string, error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Where U+0000 occurs in a request part: strings, object keys and array items at any depth. The
 * refusal lives here, before every route's schema, rather than in each schema: PostgreSQL text
 * and jsonb cannot hold the character (bound, it is an error; through Sequelize's replacements it
 * is silently rewritten to the two characters `\0`), and consumers of C strings (logs, mail
 * headers) cut text at it. No input of this API has a use for it.
 */
function nulCharacters(value: unknown, path: string): ErrorDetail[] {
  const found = (at: string): ErrorDetail => ({
    path: at.replace(/\0/g, '\\u0000'),
    message: 'Must not contain the NUL character (U+0000)',
    code: 'nul_character',
  });
  if (typeof value === 'string') return value.includes('\0') ? [found(path)] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulCharacters(item, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(key.includes('\0') ? [found(`${path}.${key}`)] : []),
      ...nulCharacters(item, `${path}.${key}`),
    ]);
  }
  return [];
}

/** What `EMPTY` accepts: nothing, or an object (never an array: `[]` has no keys either) without keys. */
function isEmpty(value: unknown): boolean {
  if (value === undefined) return true;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const _key in value) return false;
  return true;
}

function parse(schema: z.ZodType | undefined, value: unknown, location: string): unknown {
  const nul = nulCharacters(value, location);
  if (nul.length > 0) throw new ValidationError('The request is invalid', nul);
  // Without a schema the location must be empty: unknown input is refused, never ignored.
  // (Checked without zod when it is: most routes have no params, query or body.)
  if (!schema && isEmpty(value)) return {};
  const effective = schema ?? EMPTY;
  const candidate = value === undefined && !schema ? {} : value;
  const result = effective.safeParse(candidate);
  if (!result.success) throw new ValidationError('The request is invalid', toDetails(location, result.error));
  return result.data;
}

type Respond = (ctx: Context, result: unknown) => void;

/**
 * How a route answers. An enveloped answer is written by a serializer compiled from the response
 * schema (on first use): only the fields the schema declares, so a hash can never leak by accident.
 * Schemas whose parse does more than drop fields (transforms, defaults) are parsed by zod instead.
 * With `verify` (tests), every serialized answer is also compared with what zod's parse gives.
 */
function responder(route: RouteSpec, verify: boolean): Respond {
  const { response } = route;
  if (response.status === 204) return (ctx) => void (ctx.status = 204);
  if (response.raw) {
    const { contentType } = response.raw;
    return (ctx, result) => {
      ctx.status = response.status;
      if (!ctx.type) ctx.type = contentType;
      ctx.body = result;
    };
  }
  const envelopeOf = (result: unknown) =>
    response.paginated
      ? { data: (result as Page<unknown>).items, meta: (result as Page<unknown>).meta }
      : { data: result };
  if (!response.schema) {
    return (ctx, result) => {
      ctx.status = response.status;
      ctx.body = envelopeOf(result);
    };
  }
  const envelope =
    response.paginated && response.meta
      ? cursorPageEnvelope(response.schema, response.meta)
      : response.paginated === 'cursor'
        ? cursorPageEnvelope(response.schema)
        : response.paginated
          ? pageEnvelope(response.schema)
          : dataEnvelope(response.schema);
  let serialize: ((value: unknown) => string) | null | undefined;
  return (ctx, result) => {
    ctx.status = response.status;
    const body = envelopeOf(result);
    if (serialize === undefined) serialize = compileSerializer(envelope);
    if (serialize === null) {
      ctx.body = envelope.parse(body);
      return;
    }
    const json = serialize(body);
    if (verify) {
      // Compared as sent: zod keeps an optional key holding undefined, which JSON then drops.
      const sent = JSON.parse(JSON.stringify(envelope.parse(body))) as unknown;
      if (!isDeepStrictEqual(JSON.parse(json), sent)) {
        throw new Error(`The serializer of ${route.method.toUpperCase()} ${route.path} disagrees with zod: ${json}`);
      }
    }
    ctx.set('Content-Type', JSON_TYPE);
    ctx.body = json;
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Parses a multipart body holding exactly one file in `field` and nothing else, into memory
 * (formidable stops at maxBytes, so memory stays bounded). Extra files or fields are a 400.
 */
function uploadParser(upload: { field: string; maxBytes: number }): Middleware {
  return async (ctx, next) => {
    const buffers = new Map<string, Buffer[]>();
    const parser = koaBody({
      multipart: true,
      json: false,
      text: false,
      urlencoded: false,
      formidable: {
        maxFiles: 1,
        maxFields: 0,
        // A text field is buffered until it ends: refuse its first byte rather than 20 MB later.
        maxFieldsSize: 0,
        maxFileSize: upload.maxBytes,
        maxTotalFileSize: upload.maxBytes,
        allowEmptyFiles: false,
        fileWriteStreamHandler: (file) => {
          const parts: Buffer[] = [];
          buffers.set((file as unknown as { newFilename: string }).newFilename, parts);
          return new Writable({
            write(chunk: Buffer, _encoding, done) {
              parts.push(chunk);
              done();
            },
          });
        },
      },
      onError: (err) => {
        // formidable's codes 1009 and 1016: the file (or all files) over the size limit.
        if ([1009, 1016].includes((err as { code?: number }).code ?? 0)) {
          throw new PayloadTooLargeError(`The file must be at most ${upload.maxBytes} bytes`, 'FILE_TOO_LARGE');
        }
        throw new ValidationError('The multipart body is invalid', [
          { path: `body.${upload.field}`, message: err.message },
        ]);
      },
    });
    await parser(ctx, async () => undefined);
    const files = (ctx.request as { files?: Record<string, unknown> }).files ?? {};
    const file = files[upload.field] as { newFilename: string; originalFilename: string | null } | undefined;
    const others = Object.keys(files).filter((name) => name !== upload.field);
    if (!file || Array.isArray(file) || others.length > 0) {
      throw new ValidationError('Send one file as multipart/form-data', [
        { path: `body.${upload.field}`, message: `Expected exactly one file in the "${upload.field}" field` },
      ]);
    }
    const uploaded: UploadedFile = {
      bytes: Buffer.concat(buffers.get(file.newFilename) ?? []),
      originalName: file.originalFilename,
    };
    ctx.state.upload = uploaded;
    ctx.request.body = {};
    await next();
  };
}

/** A streamed body must say what it is: anything else is refused before the handler reads a byte. */
function streamBody(contentTypes: string[]): Middleware {
  return async (ctx, next) => {
    if (!ctx.is(contentTypes)) {
      throw new ValidationError(`Send the body as ${contentTypes.join(' or ')}`, [], 'UNSUPPORTED_MEDIA_TYPE');
    }
    // A client that goes away mid-upload errors the request stream: the handler's own pipeline
    // reports it; this listener only keeps it from being an unhandled 'error' event.
    ctx.req.on('error', () => undefined);
    await next();
  };
}

export class RouteRegistry {
  private readonly routes: RouteSpec[] = [];
  private document: ReturnType<OpenApiGeneratorV3['generateDocument']> | null = null;

  constructor(
    private readonly basePath: string,
    private readonly info: { title: string; version: string; description: string },
    private readonly options: RegistryOptions = {},
  ) {}

  add(...routes: RouteSpec[]): this {
    this.routes.push(...routes);
    this.document = null;
    return this;
  }

  list(): readonly RouteSpec[] {
    return this.routes;
  }

  fullPath(route: RouteSpec): string {
    return route.absolute ? route.path : `${this.basePath}${route.path}`;
  }

  router(guards: Guards): Router {
    const router = new Router();
    for (const route of this.routes) {
      const stream = route.request?.stream;
      const respond = responder(route, this.options.verifyResponses ?? false);
      const handle: Middleware = async (ctx) => {
        const input = {
          params: parse(route.request?.params, ctx.params, 'params'),
          query: parse(route.request?.query, ctx.query, 'query'),
          body: parse(route.request?.body, ctx.request.body, 'body'),
          file: ctx.state.upload as UploadedFile | undefined,
          stream: stream ? ctx.req : undefined,
        };
        respond(ctx, await route.handler(input, ctx));
      };
      const upload = route.request?.upload;
      const rest = [
        ...(route.middleware ?? []),
        ...(upload ? [uploadParser(upload)] : []),
        ...(stream ? [streamBody(stream.contentTypes)] : []),
        handle,
      ];
      // Each way into the route (its own guards, or a scope's) is composed once, at mount.
      const chainFor = (auth: AuthMode, permission: string | null | undefined) =>
        compose([...this.guards(route, guards, auth, permission), ...rest]);
      const byDefault = chainFor(route.auth, route.permission);
      const scopes = Object.entries(route.scopes ?? {});
      if (scopes.length === 0) {
        router[route.method](this.fullPath(route), byDefault);
        continue;
      }
      const scoped = new Map(scopes.map(([name, scope]) => [name, chainFor(scope.auth, scope.permission)]));
      router[route.method](this.fullPath(route), (ctx, next) => {
        const { scope } = ctx.query;
        return ((typeof scope === 'string' && scoped.get(scope)) || byDefault)(ctx, next);
      });
    }
    return router;
  }

  /** The auth and permission guards of a route, or of the scope its `?scope=` names. */
  private guards(
    route: RouteSpec,
    guards: Guards,
    auth: AuthMode,
    permission: string | null | undefined,
  ): Middleware[] {
    const chain: Middleware[] = [];
    if (auth !== 'public') {
      if (permission === undefined) {
        throw new Error(`${route.method.toUpperCase()} ${route.path} must declare a permission (or null)`);
      }
      const modeGuards = guards.auth[auth];
      if (!modeGuards) throw new Error(`No guard is configured for auth mode "${auth}" (${route.path})`);
      chain.push(...modeGuards(route));
    }
    if (permission) {
      if (!guards.permission) throw new Error(`No permission guard is configured (${route.path})`);
      chain.push(guards.permission(permission));
    }
    return chain;
  }

  openApiDocument() {
    this.document ??= this.generate();
    return this.document;
  }

  private generate() {
    const registry = new OpenAPIRegistry();
    registry.register('ErrorResponse', errorEnvelope);
    registry.registerComponent('securitySchemes', 'bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT or tak_ API key',
      description:
        'An access token (a JWT from POST /auth/login, /auth/refresh-token or a workspace switch), or a ' +
        "workspace API key (`tak_<prefix>_<secret>`), accepted only on that workspace's routes that declare a permission",
    });
    for (const [name, description] of Object.entries(RATE_LIMIT_HEADERS)) {
      registry.registerComponent('headers', name, { description, schema: { type: 'integer', minimum: 0 } });
    }
    registry.registerComponent('headers', RETRY_AFTER, {
      description: 'Seconds to wait before retrying',
      schema: { type: 'integer', minimum: 0 },
    });
    const documented = this.routes.filter((r) => !r.hidden);
    const ids = new Set<string>();
    for (const route of documented) {
      const item = this.pathItem(route);
      if (ids.has(item.operationId!)) throw new Error(`Two routes share the operationId ${item.operationId}`);
      ids.add(item.operationId!);
      registry.registerPath(item);
    }
    const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
      openapi: '3.0.3',
      info: this.info,
      servers: [{ url: '/' }],
      tags: [...new Set(documented.flatMap((r) => r.tags))].map((name) => ({ name })),
    });
    foldBareNullables(document);
    return document;
  }

  private pathItem(route: RouteSpec): Parameters<OpenAPIRegistry['registerPath']>[0] {
    const { request, response } = route;
    const contentType = response.raw?.contentType ?? 'application/json';
    const successSchema = response.raw
      ? z.string()
      : response.paginated && response.meta
        ? cursorPageEnvelope(response.schema ?? z.unknown(), response.meta)
        : response.paginated === 'cursor'
          ? cursorPageEnvelope(response.schema ?? z.unknown())
          : response.paginated
            ? pageEnvelope(response.schema ?? z.unknown())
            : dataEnvelope(response.schema ?? z.unknown());
    // A workspace's routes also answer 503 TENANT_MOVING (with Retry-After) while it moves between databases.
    const errors = new Set([
      400,
      429,
      500,
      ...(route.errors ?? []),
      ...(route.auth === 'public' ? [] : [401]),
      ...(route.auth === 'workspace' ? [503] : []),
    ]);
    // Health probes are never counted (see isHealthProbe), so only the other routes carry the headers.
    const rateLimited = !isHealthProbe(this.fullPath(route));
    const headersFor = (status: number) => {
      const names = rateLimited ? Object.keys(RATE_LIMIT_HEADERS) : [];
      if (status === 429 || status === 503) names.push(RETRY_AFTER);
      return names.length ? { headers: Object.fromEntries(names.map((name) => [name, headerRef(name)])) } : {};
    };
    const responses: Record<number, object> = {
      [response.status]:
        response.status === 204
          ? { description: response.description, ...headersFor(response.status) }
          : {
              description: response.description,
              ...headersFor(response.status),
              content: { [contentType]: { schema: successSchema } },
            },
    };
    for (const status of errors) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        ...headersFor(status),
        content: { 'application/json': { schema: errorEnvelope } },
      };
    }
    const permissionLine = route.permission ? `\n\nRequires permission \`${route.permission}\`.` : '';
    const scopeLines = Object.entries(route.scopes ?? {})
      .map(([name, scope]) => `\n\nWith \`?scope=${name}\`: ${scope.description}`)
      .join('');
    return {
      method: route.method,
      path: this.fullPath(route).replace(/:(\w+)/g, '{$1}'),
      operationId: operationIdOf(route),
      tags: route.tags,
      summary: route.summary,
      description: `${route.description ?? route.summary}${permissionLine}${scopeLines}`,
      security: route.auth === 'public' ? [] : [{ bearerAuth: [] }],
      request: {
        params: request?.params as never,
        query: request?.query as never,
        body: request?.stream
          ? {
              required: true,
              description: request.stream.description,
              content: Object.fromEntries(
                request.stream.contentTypes.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }]),
              ),
            }
          : request?.upload
            ? {
                required: true,
                description: request.upload.description,
                content: {
                  'multipart/form-data': {
                    schema: z.object({ [request.upload.field]: z.string().openapi({ format: 'binary' }) }),
                  },
                },
              }
            : request?.body
              ? { required: true, content: { 'application/json': { schema: request.body } } }
              : undefined,
      },
      responses,
      'x-auth': route.auth,
      'x-permissions': [route.permission, ...Object.values(route.scopes ?? {}).map((s) => s.permission)].filter(
        (p): p is string => !!p,
      ),
    };
  }
}
