import { Password, WeakPasswordError } from './password';

describe('Password policy (NIST SP 800-63B)', () => {
  test('when 8 to 128 characters of any kind, then accepted (no composition rules)', () => {
    expect(Password.create('all lowercase words', 'a@b.co').value).toBe('all lowercase words');
    expect(() => Password.create('ünïcödé✓✓', 'a@b.co')).not.toThrow();
    expect(() => Password.create('x'.repeat(128), 'a@b.co')).not.toThrow();
  });

  test('when several words, or a common word plus more, then accepted', () => {
    expect(() => Password.create('Quiet-Harbour-Lantern-7413', 'a@b.co')).not.toThrow();
    expect(() => Password.create('hunter2-top-secret', 'a@b.co')).not.toThrow();
  });

  test('when length is counted, then it counts characters, not UTF-16 units', () => {
    expect(() => Password.create('😀😀😀😀', 'a@b.co')).toThrow(WeakPasswordError); // 4 characters, 8 units
  });

  test.each([
    ['7 characters', 'abcdefg'],
    ['129 characters', 'y'.repeat(129)],
    ['a common password', 'iloveyou2'],
    ['the common list is case-insensitive', 'PassWord1'],
    ['the email', 'Ada.Lovelace@Example.com'],
    ['the email local part', 'ada.lovelace'],
    ['a common password in l33t', 'p4ssw0rd1'],
    ['a common password reversed', 'drowssap'],
    ['a single common English word', 'tremendous'],
    ['a keyboard walk from the common list', 'qwertyuiop'],
  ])('when it is %s, then refused with WEAK_PASSWORD', (_case, raw) => {
    expect(() => Password.create(raw, 'ada.lovelace@example.com')).toThrow(WeakPasswordError);
  });
});
