import { promises as dns } from 'node:dns';
import type { TxtResolver } from '../domain/ports';

const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'ESERVFAIL', 'ENONAME']);

/** The system resolver. A name without TXT records (or that does not exist) answers []. */
export class DnsTxtResolver implements TxtResolver {
  async resolveTxt(name: string): Promise<string[]> {
    try {
      return (await dns.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (err) {
      if (ABSENT.has((err as { code?: string }).code ?? '')) return [];
      throw err;
    }
  }
}
