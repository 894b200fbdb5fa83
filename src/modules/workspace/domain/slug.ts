import { ValidationError } from '../../../core/errors/app-error';

const PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,46}[a-z0-9])$/;

/** A workspace's URL-safe handle: 3 to 48 of a-z, 0-9 and inner hyphens. Never used in SQL identifiers. */
export class Slug {
  private constructor(readonly value: string) {}

  static create(raw: string): Slug {
    if (!PATTERN.test(raw)) {
      throw new ValidationError('Invalid slug', [
        { path: 'slug', message: 'Use 3 to 48 lower-case letters, digits or inner hyphens' },
      ]);
    }
    return new Slug(raw);
  }

  /** Derives a slug from a display name, with a suffix to keep it unique without asking. */
  static fromName(name: string, suffix: string): Slug {
    const base = name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 38)
      .replace(/-+$/g, '');
    return Slug.create(`${base || 'workspace'}-${suffix}`);
  }
}
