import { z } from './zod';

export const errorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), message: z.string(), code: z.string().optional() })),
      requestId: z.string(),
    }),
  })
  .openapi('ErrorResponse');

export const paginationMeta = z
  .object({ page: z.number().int(), limit: z.number().int(), total: z.number().int() })
  .openapi('PaginationMeta');

export const cursorMeta = z
  .object({
    limit: z.number().int(),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as ?cursor= for the next page; null on the last' }),
  })
  .openapi('CursorMeta');

/** Query parameters of every list route. */
export const paginationQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function dataEnvelope<T extends z.ZodType>(schema: T) {
  return z.object({ data: schema });
}

export function pageEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), meta: paginationMeta });
}

export function cursorPageEnvelope<T extends z.ZodType>(item: T, meta: z.ZodType = cursorMeta) {
  return z.object({ data: z.array(item), meta });
}

export type { CursorPage, Page } from '../domain/page';
