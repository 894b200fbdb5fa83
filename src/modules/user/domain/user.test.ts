import { sniffImageType } from './avatar';
import { Email } from './email';
import { User } from './user';
import { UserProfile } from './user-profile';

const NOW = new Date('2026-11-25T10:00:00Z');
const LATER = new Date('2026-11-25T11:00:00Z');
const ADMIN = '00000000-0000-4000-8000-000000000001';

function user(status: User['status'] = 'active'): User {
  const u = User.register({
    id: '00000000-0000-4000-8000-0000000000aa',
    email: Email.create('ada@example.com'),
    name: 'Ada',
    passwordHash: 'h',
    now: NOW,
  });
  if (status === 'active') u.verifyEmail(NOW);
  else if (status !== 'pending_verification') {
    u.verifyEmail(NOW);
    u.changeStatus(status, ADMIN, NOW);
  }
  return u;
}

describe('User.changeStatus', () => {
  test.each([
    ['active', 'inactive', true],
    ['active', 'banned', true],
    ['inactive', 'active', false],
    ['inactive', 'banned', true],
    ['banned', 'active', false],
    ['pending_verification', 'banned', true],
  ] as const)('when %s becomes %s, then it changes (sessions end: %s)', (from, to, endSessions) => {
    const u = user(from);
    expect(u.changeStatus(to, ADMIN, LATER)).toEqual({ changed: true, endSessions });
    expect(u.status).toBe(to);
    expect(u.updatedAt).toEqual(LATER);
  });

  test('when a banned account would become inactive, then the transition is refused and nothing changes', () => {
    const u = user('banned');
    expect(() => u.changeStatus('inactive', ADMIN, LATER)).toThrow(
      expect.objectContaining({ code: 'STATUS_TRANSITION_REFUSED' }),
    );
    expect(u.status).toBe('banned');
  });

  test('when users target themselves (a banned admin unbanning themself), then CANNOT_CHANGE_OWN_STATUS', () => {
    const u = user('banned');
    expect(() => u.changeStatus('active', u.id, LATER)).toThrow(
      expect.objectContaining({ code: 'CANNOT_CHANGE_OWN_STATUS' }),
    );
    expect(u.status).toBe('banned');
  });

  test('when the status is already the target, then nothing changes', () => {
    const u = user('inactive');
    expect(u.changeStatus('inactive', ADMIN, LATER)).toEqual({ changed: false, endSessions: false });
    expect(u.updatedAt).not.toEqual(LATER);
  });

  test('when an admin activates a pending account, then its address counts as verified', () => {
    const u = user('pending_verification');
    u.changeStatus('active', ADMIN, LATER);
    expect(u.isVerified).toBe(true);
  });
});

describe('User profile, email and deletion', () => {
  test('when the profile changes, then values are canonicalised (locale) and trimmed (name)', () => {
    const u = user();
    u.updateProfile({ name: '  Ada L. ', locale: 'en-gb', timezone: 'Europe/London' }, LATER);
    expect(u.profile.toProps()).toEqual({
      name: 'Ada L.',
      avatarUrl: null,
      locale: 'en-GB',
      timezone: 'Europe/London',
    });
  });

  test.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'bell\u0007' }, 'name'],
    [{ locale: 'not a locale!' }, 'locale'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ avatarUrl: 'http://insecure.example/a.png' }, 'avatarUrl'],
    [{ avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
  ])('when the profile change %j is invalid, then it is refused on %s and nothing applies', (change, path) => {
    const u = user();
    const before = u.profile;
    expect(() => u.updateProfile({ timezone: 'Europe/Paris', ...change }, LATER)).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ path })] }),
    );
    expect(u.profile).toBe(before);
  });

  test('when the email changes (confirmed), then the new address is verified and a pending account becomes active', () => {
    const u = user('pending_verification');
    u.changeEmail(Email.create('ada@new.example'), LATER);
    expect([u.email.value, u.isVerified, u.status]).toEqual(['ada@new.example', true, 'active']);
  });

  test('when deleted twice, then the first deletion time is kept', () => {
    const u = user();
    u.delete(NOW);
    u.delete(LATER);
    expect(u.isDeleted).toBe(true);
    expect(u.toProps().deletedAt).toEqual(NOW);
  });

  test('when a stored avatar path is restored, then it is accepted', () => {
    expect(
      UserProfile.create({ name: 'A', avatarUrl: '/api/v1/avatars/k.png', locale: null, timezone: null }).avatarUrl,
    ).toBe('/api/v1/avatars/k.png');
  });
});

describe('sniffImageType', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
  test.each([
    [png, 'png'],
    [jpeg, 'jpeg'],
    [webp, 'webp'],
    [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), null],
    [Buffer.from('GIF89a'), null],
    [Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVE'), null],
    [Buffer.from([0x89, 0x50]), null],
    [Buffer.alloc(0), null],
  ])('when the bytes are %#, then the type is %s', (bytes, type) => {
    expect(sniffImageType(bytes)).toBe(type);
  });
});
