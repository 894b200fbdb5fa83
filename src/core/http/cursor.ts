import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors/app-error';
import { z } from './zod';

/**
 * Opaque pagination cursors (`?cursor=`, `meta.nextCursor`): the position of the last item seen,
 * as base64url JSON, and an HMAC of it under a server key. A client cannot read meaning into one
 * or forge one; anything altered, truncated or made by another deployment is a 400
 * (`INVALID_CURSOR`), never a query from an arbitrary position.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string, purpose = 'pagination-cursor') {
    this.key = createHmac('sha256', secret).update(purpose).digest();
  }

  encode(position: Record<string, string | number>): string {
    const body = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The position, validated by the schema; a 400 naming `query.cursor` for anything else. */
  decode<T>(cursor: string, schema: z.ZodType<T>): T {
    const refuse = () =>
      new ValidationError(
        'The cursor is invalid: use meta.nextCursor as it was given',
        [{ path: 'query.cursor', message: 'Invalid cursor', code: 'invalid_cursor' }],
        'INVALID_CURSOR',
      );
    const [body, mac, extra] = cursor.split('.');
    if (!body || !mac || extra !== undefined) throw refuse();
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse();
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw refuse();
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw refuse();
    return parsed.data;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url').slice(0, 22);
  }
}

/** Query parameters of a cursor-paginated list. */
export const cursorQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional().openapi({ description: 'meta.nextCursor of the previous page' }),
});
