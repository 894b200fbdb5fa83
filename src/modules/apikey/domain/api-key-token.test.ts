import { createHash } from 'node:crypto';
import { ApiKeyToken } from './api-key-token';

describe('ApiKeyToken', () => {
  test('when a key is generated, then it parses back to its prefix and a secret whose SHA-256 is the stored hash', () => {
    const { token, prefix, secretHash } = ApiKeyToken.generate();

    const parsed = ApiKeyToken.parse(token);

    expect(token).toMatch(/^tak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parsed?.prefix).toBe(prefix);
    expect(secretHash.equals(createHash('sha256').update(parsed!.secret).digest())).toBe(true);
    expect(ApiKeyToken.matches(parsed!.secret, secretHash)).toBe(true);
  });

  test('when two keys are generated, then prefixes and secrets differ', () => {
    const [a, b] = [ApiKeyToken.generate(), ApiKeyToken.generate()];
    expect(a.prefix).not.toBe(b.prefix);
    expect(a.token).not.toBe(b.token);
  });

  test.each([
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['a refresh token', `rt_${'a'.repeat(43)}`],
    ['a short secret', `tak_0123456789abcdef_${'a'.repeat(42)}`],
    ['an upper-case prefix', `tak_0123456789ABCDEF_${'a'.repeat(43)}`],
  ])('when the bearer is %s, then it does not parse', (_name, token) => {
    expect(ApiKeyToken.parse(token)).toBeNull();
  });

  test('when the secret is wrong, then it does not match', () => {
    const { secretHash } = ApiKeyToken.generate();
    expect(ApiKeyToken.matches('A'.repeat(43), secretHash)).toBe(false);
  });
});
