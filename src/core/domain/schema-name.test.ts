import { SchemaName } from './schema-name';

describe('SchemaName', () => {
  test('when made from a workspace id, then it is tenant_ plus the 32 hex digits', () => {
    const name = SchemaName.forWorkspace('3F1C7F5E-8A2B-4C1D-9E0F-1A2B3C4D5E6F');
    expect(name.value).toBe('tenant_3f1c7f5e8a2b4c1d9e0f1a2b3c4d5e6f');
    expect(name.quoted).toBe('"tenant_3f1c7f5e8a2b4c1d9e0f1a2b3c4d5e6f"');
  });

  test.each([
    'acme',
    'acme"; DROP SCHEMA public CASCADE; --',
    '3f1c7f5e-8a2b-4c1d-9e0f-1a2b3c4d5e6f; DROP TABLE users',
    '../../etc/passwd',
    'tenant_3f1c7f5e8a2b4c1d9e0f1a2b3c4d5e6f',
    '',
  ])('when the workspace id is hostile (%p), then no schema name is made', (hostile) => {
    expect(() => SchemaName.forWorkspace(hostile)).toThrow();
  });

  test.each([
    'public',
    'tenant_3F1C7F5E8A2B4C1D9E0F1A2B3C4D5E6F',
    'tenant_3f1c7f5e8a2b4c1d9e0f1a2b3c4d5e6f"',
    'tenant_3f1c7f5e8a2b4c1d9e0f1a2b3c4d5e6f; select 1',
    'pg_catalog',
  ])('when a stored name does not match the pattern (%p), then it is refused', (raw) => {
    expect(() => SchemaName.parse(raw)).toThrow(/invalid tenant schema name/);
  });
});
