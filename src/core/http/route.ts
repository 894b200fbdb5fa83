import type { Context, Middleware } from 'koa';
import type { z } from './zod';
import type { CursorPage, Page } from './envelope';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route; guards for each mode are supplied by the auth module. */
export type AuthMode = 'public' | 'user' | 'workspace';

export type SuccessStatus = 200 | 201 | 202 | 204;

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  /** The uploaded file of a route that declares `request.upload` (read into memory, temp file removed). */
  file?: UploadedFile;
  /** The raw body of a route that declares `request.stream`, unread: the handler streams it. */
  stream?: NodeJS.ReadableStream;
}

export interface UploadedFile {
  bytes: Buffer;
  /** The client's file name: a hint for logs only, never trusted for type or path. */
  originalName: string | null;
}

/** A second way into a route, chosen by `?scope=<name>`, with its own auth mode and permission. */
export interface RouteScope {
  auth: AuthMode;
  permission: string | null;
  description: string;
}

/**
 * One declaration per route: it mounts the route, validates its input before the handler and
 * documents it in OpenAPI, so the three cannot drift apart.
 */
export interface RouteSpec<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: HttpMethod;
  /** Koa-style path (`/workspaces/:id`), under the API base path unless `absolute`. */
  path: string;
  absolute?: boolean;
  tags: string[];
  summary: string;
  description?: string;
  auth: AuthMode;
  /**
   * `resource.action` the caller must hold (enforced by the RBAC guard), or null for what any
   * authenticated caller may do (their own profile, accepting an invitation). Every non-public
   * route must declare one or the other: mounting fails otherwise.
   */
  permission?: string | null;
  /**
   * A workspace route that only reads runs without a transaction: each tenant query carries its
   * own search_path in one round trip, inside a read-only implicit transaction, so a write there
   * fails rather than slip through. Defaults to true for GET and false otherwise; a GET that
   * writes must say `readOnly: false`.
   */
  readOnly?: boolean;
  /** Extra middleware run after the guards and before validation (e.g. a stricter rate limit). */
  middleware?: Middleware[];
  request?: {
    params?: P;
    query?: Q;
    body?: B;
    /** A multipart/form-data body with one file in `field` (and no other field), at most maxBytes. */
    upload?: { field: string; maxBytes: number; description: string };
    /** A binary body of one of these types, handed to the handler as a stream (an archive upload). */
    stream?: { contentTypes: string[]; description: string };
  };
  /**
   * Alternatives chosen by the `scope` query parameter (declare it in the query schema too): e.g.
   * `?scope=platform` lets platform admins list every user without an active workspace. Each
   * scope has its own guards; without the parameter the route's own auth and permission apply.
   */
  scopes?: Record<string, RouteScope>;
  response: {
    status: SuccessStatus;
    description: string;
    /** Schema of `data` (or of one item when `paginated`). */
    schema?: R;
    /** true: `meta` is {page, limit, total}; 'cursor': `meta` is {limit, nextCursor} (?cursor=). */
    paginated?: boolean | 'cursor';
    /** The schema of `meta` of a paginated answer, when it is neither of the two above. */
    meta?: z.ZodType;
    /** A raw body (no envelope) of this content type, such as the OpenAPI document or Swagger UI. */
    raw?: { contentType: string };
  };
  /** Error statuses this route can answer besides 400, 429 and 500. */
  errors?: number[];
  handler: (input: RouteInput<P, Q, B>, ctx: Context) => Promise<RouteResult<R>>;
  /** Excluded from the document (the document's own route is the only one). */
  hidden?: boolean;
}

export type RouteResult<R> = R extends z.ZodType ? z.input<R> | Page<z.input<R>> | CursorPage<z.input<R>> : unknown;

/** Whether the route runs in a read-only tenant scope (see RouteSpec.readOnly). */
export function isReadOnly(route: Pick<RouteSpec, 'method' | 'readOnly'>): boolean {
  return route.readOnly ?? route.method === 'get';
}

/** Identity helper that lets TypeScript infer a route's input types from its schemas. */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B, R>): RouteSpec {
  return spec;
}
