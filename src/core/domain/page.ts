/** One page of a list, with the contract's meta. */
export interface Page<T> {
  items: T[];
  meta: { page: number; limit: number; total: number };
}

/** One page of a cursor-paginated list: `nextCursor` is null on the last page. */
export interface CursorPage<T> {
  items: T[];
  meta: { limit: number; nextCursor: string | null };
}
