import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { ValidationError, type ErrorDetail } from '../errors/app-error';
import { dataEnvelope, errorEnvelope, pageEnvelope, type Page } from './envelope';
import type { AuthMode, RouteSpec } from './route';
import { z } from './zod';

export interface Guards {
  /** Middlewares run before validation for each auth mode ('public' needs none). */
  auth: Partial<Record<Exclude<AuthMode, 'public'>, Middleware[]>>;
  permission?: (code: string) => Middleware;
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

const EMPTY = z.strictObject({});

function toDetails(location: string, error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

function parse(schema: z.ZodType | undefined, value: unknown, location: string): unknown {
  // Without a schema the location must be empty: unknown input is refused, never ignored.
  const effective = schema ?? EMPTY;
  const candidate = value === undefined && !schema ? {} : value;
  const result = effective.safeParse(candidate);
  if (!result.success) throw new ValidationError('The request is invalid', toDetails(location, result.error));
  return result.data;
}

function respond(route: RouteSpec, ctx: Context, result: unknown): void {
  const { response } = route;
  ctx.status = response.status;
  if (response.status === 204) return;
  if (response.raw) {
    if (!ctx.type) ctx.type = response.raw.contentType;
    ctx.body = result;
    return;
  }
  // Parsing the output strips any field the schema does not list: a hash can never leak by accident.
  if (response.paginated) {
    const page = result as Page<unknown>;
    const items = response.schema ? z.array(response.schema).parse(page.items) : page.items;
    ctx.body = { data: items, meta: page.meta };
  } else {
    ctx.body = { data: response.schema ? response.schema.parse(result) : result };
  }
}

export class RouteRegistry {
  private readonly routes: RouteSpec[] = [];
  private document: ReturnType<OpenApiGeneratorV3['generateDocument']> | null = null;

  constructor(
    private readonly basePath: string,
    private readonly info: { title: string; version: string; description: string },
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
      const chain: Middleware[] = [];
      if (route.auth !== 'public') {
        if (route.permission === undefined) {
          throw new Error(`${route.method.toUpperCase()} ${route.path} must declare a permission (or null)`);
        }
        const auth = guards.auth[route.auth];
        if (!auth) throw new Error(`No guard is configured for auth mode "${route.auth}" (${route.path})`);
        chain.push(...auth);
      }
      if (route.permission) {
        if (!guards.permission) throw new Error(`No permission guard is configured (${route.path})`);
        chain.push(guards.permission(route.permission));
      }
      chain.push(...(route.middleware ?? []));
      chain.push(async (ctx) => {
        const input = {
          params: parse(route.request?.params, ctx.params, 'params'),
          query: parse(route.request?.query, ctx.query, 'query'),
          body: parse(route.request?.body, ctx.request.body, 'body'),
        };
        respond(route, ctx, await route.handler(input, ctx));
      });
      router[route.method](this.fullPath(route), ...chain);
    }
    return router;
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
      bearerFormat: 'JWT',
    });
    for (const route of this.routes.filter((r) => !r.hidden)) registry.registerPath(this.pathItem(route));
    return new OpenApiGeneratorV3(registry.definitions).generateDocument({
      openapi: '3.0.3',
      info: this.info,
      servers: [{ url: '/' }],
    });
  }

  private pathItem(route: RouteSpec): Parameters<OpenAPIRegistry['registerPath']>[0] {
    const { request, response } = route;
    const contentType = response.raw?.contentType ?? 'application/json';
    const successSchema = response.raw
      ? z.string()
      : response.paginated
        ? pageEnvelope(response.schema ?? z.unknown())
        : dataEnvelope(response.schema ?? z.unknown());
    const errors = new Set([400, 429, 500, ...(route.errors ?? []), ...(route.auth === 'public' ? [] : [401])]);
    const responses: Record<number, object> = {
      [response.status]:
        response.status === 204
          ? { description: response.description }
          : { description: response.description, content: { [contentType]: { schema: successSchema } } },
    };
    for (const status of errors) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: errorEnvelope } },
      };
    }
    const permissionLine = route.permission ? `\n\nRequires permission \`${route.permission}\`.` : '';
    return {
      method: route.method,
      path: this.fullPath(route).replace(/:(\w+)/g, '{$1}'),
      tags: route.tags,
      summary: route.summary,
      description: `${route.description ?? route.summary}${permissionLine}`,
      security: route.auth === 'public' ? [] : [{ bearerAuth: [] }],
      request: {
        params: request?.params as never,
        query: request?.query as never,
        body: request?.body ? { required: true, content: { 'application/json': { schema: request.body } } } : undefined,
      },
      responses,
      'x-auth': route.auth,
      'x-permissions': route.permission ? [route.permission] : [],
    };
  }
}
