import { ValidationError } from '../errors/app-error';

const PATTERN = /^tenant_[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A tenant's PostgreSQL schema name. It is derived from the workspace id only (never from a name
 * or slug), checked against a strict pattern, and always used quoted.
 */
export class SchemaName {
  private constructor(readonly value: string) {}

  static forWorkspace(workspaceId: string): SchemaName {
    const id = workspaceId.toLowerCase();
    if (!UUID.test(id)) throw new ValidationError('Invalid workspace id');
    return new SchemaName(`tenant_${id.replace(/-/g, '')}`);
  }

  /** Re-validates a name read back from storage before it is ever put into SQL. */
  static parse(raw: string): SchemaName {
    if (!PATTERN.test(raw)) throw new Error(`Refusing an invalid tenant schema name: ${JSON.stringify(raw)}`);
    return new SchemaName(raw);
  }

  /** The identifier quoted for SQL: `"tenant_…"`. Safe because the pattern admits no quote. */
  get quoted(): string {
    return `"${this.value}"`;
  }

  toString(): string {
    return this.value;
  }
}
