/** One page of a list, with the contract's meta. */
export interface Page<T> {
  items: T[];
  meta: { page: number; limit: number; total: number };
}
