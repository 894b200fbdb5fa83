import { EmailDomain } from './email-domain';

describe('EmailDomain', () => {
  test('when a domain is parsed, then it is lower-cased and loses a trailing dot', () => {
    expect(EmailDomain.parse(' Example.COM. ')).toBe('example.com');
  });

  test.each(['localhost', 'exa mple.com', '-bad.com', 'a..com', `${'a'.repeat(64)}.com`, 'x@y.com'])(
    'when the domain is %j, then it is refused',
    (raw) => {
      expect(() => EmailDomain.parse(raw)).toThrow('The domain is invalid');
    },
  );

  test('when an address is given, then its domain is the part after the last @', () => {
    expect(EmailDomain.of('Grace@Example.com')).toBe('example.com');
    expect(EmailDomain.of('no-at-sign')).toBeNull();
  });

  test('when a challenge is made, then it names a record under the domain', () => {
    expect(EmailDomain.challenge('example.com', 'abc')).toEqual({
      name: '_tenant-api-challenge.example.com',
      value: 'tenant-api-verification=abc',
    });
  });
});
