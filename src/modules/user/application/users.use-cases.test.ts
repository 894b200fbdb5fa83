import { MemoryCache } from '../../../core/infrastructure/cache/memory-cache';
import type { FileStore } from '../../../core/infrastructure/storage/file-store';
import type { AuditEntry } from '../../audit/audit.public';
import { Email } from '../domain/email';
import type { AccountSecurity } from '../domain/ports';
import { User } from '../domain/user';
import { FakeUsers } from '../user.test-support';
import { Avatars } from './avatars.use-case';
import { ManageAccounts } from './manage-accounts.use-case';
import { UpdateMyProfile } from './update-profile.use-case';

const NOW = new Date('2026-11-25T10:00:00Z');
const ADMIN = '00000000-0000-4000-8000-000000000001';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

class FakeSecurity implements AccountSecurity {
  ended: { userId: string; reason: string; except?: string }[] = [];
  emailChanges: string[] = [];
  verifyPassword = async (user: User, password: string) => user.passwordHash === `hashed:${password}`;
  hashNewPassword = async (_user: User, password: string) => {
    if (password.length < 10) throw Object.assign(new Error('weak'), { code: 'WEAK_PASSWORD' });
    return `hashed:${password}`;
  };
  endSessions = async (userId: string, reason: string, except?: string) =>
    void this.ended.push({ userId, reason, except });
  requestEmailChange = async (_user: User, email: Email) => void this.emailChanges.push(email.value);
}

class FakeStore implements FileStore {
  files = new Map<string, Buffer>();
  put = async (key: string, bytes: Buffer, _contentType: string) => void this.files.set(key, bytes);
  get = async (key: string) => {
    const bytes = this.files.get(key);
    return bytes ? { bytes, contentType: 'image/png' } : null;
  };
  delete = async (key: string) => void this.files.delete(key);
}

async function fixture() {
  const users = new FakeUsers();
  const security = new FakeSecurity();
  const store = new FakeStore();
  const audit: AuditEntry[] = [];
  const events: string[] = [];
  const deps = {
    tx: { run: <T>(work: () => Promise<T>) => work(), runInTenant: <T>(_s: unknown, work: () => Promise<T>) => work() },
    events: { publish: async (e: { name: string }) => void events.push(e.name) },
    audit: { record: async (entry: AuditEntry) => void audit.push(entry) },
    clock: { now: () => NOW },
  };
  const avatars = new Avatars(users, store, { publicPath: '/api/v1/avatars' }, deps.tx, deps.audit, deps.clock);
  const profile = new UpdateMyProfile(users, security, deps.tx, deps.events as never, deps.audit, deps.clock, avatars);
  const accounts = new ManageAccounts(users, security, deps.tx, deps.events as never, deps.audit, deps.clock, avatars);
  const ada = User.register({
    id: '00000000-0000-4000-8000-0000000000aa',
    email: Email.create('ada@example.com'),
    name: 'Ada',
    passwordHash: 'hashed:correct horse',
    now: NOW,
  });
  ada.verifyEmail(NOW);
  await users.create(ada);
  return { users, security, store, audit, events, avatars, profile, accounts, ada, cache: new MemoryCache(100) };
}

describe('UpdateMyProfile', () => {
  test('when only profile fields change, then no password is needed and the change is audited by field name', async () => {
    const f = await fixture();
    const { user, pendingEmail } = await f.profile.execute({
      userId: f.ada.id,
      sessionId: 's1',
      name: 'Ada L.',
      timezone: 'Europe/Paris',
    });
    expect([user.name, user.profile.timezone, pendingEmail]).toEqual(['Ada L.', 'Europe/Paris', null]);
    expect(f.audit).toEqual([
      expect.objectContaining({ action: 'user.profile.updated', metadata: { fields: ['name', 'timezone'] } }),
    ]);
    expect(f.events).toEqual(['UserProfileUpdated']);
  });

  test('when the password changes with the right current password, then every other session ends', async () => {
    const f = await fixture();
    await f.profile.execute({
      userId: f.ada.id,
      sessionId: 's1',
      currentPassword: 'correct horse',
      newPassword: 'battery staple 99',
    });
    expect((await f.users.findById(f.ada.id))?.passwordHash).toBe('hashed:battery staple 99');
    expect(f.security.ended).toEqual([{ userId: f.ada.id, reason: 'password_changed', except: 's1' }]);
  });

  test('when the current password is wrong, then WRONG_PASSWORD, the failure is audited and nothing changes', async () => {
    const f = await fixture();
    await expect(
      f.profile.execute({
        userId: f.ada.id,
        sessionId: 's1',
        name: 'Mallory',
        currentPassword: 'guess',
        newPassword: 'battery staple 99',
      }),
    ).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    const stored = await f.users.findById(f.ada.id);
    expect([stored?.name, stored?.passwordHash]).toEqual(['Ada', 'hashed:correct horse']);
    expect(f.audit.map((a) => a.action)).toEqual(['user.reauth.failed']);
    expect(f.security.ended).toEqual([]);
  });

  test('when the email changes without the current password, then VALIDATION_ERROR', async () => {
    const f = await fixture();
    await expect(
      f.profile.execute({ userId: f.ada.id, sessionId: 's1', email: 'ada@new.example' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  test('when the email changes, then a confirmation is requested and the address stays until confirmed', async () => {
    const f = await fixture();
    const { user, pendingEmail } = await f.profile.execute({
      userId: f.ada.id,
      sessionId: 's1',
      email: 'ADA@new.example',
      currentPassword: 'correct horse',
    });
    expect([user.email.value, pendingEmail, f.security.emailChanges]).toEqual([
      'ada@example.com',
      'ada@new.example',
      ['ada@new.example'],
    ]);
  });

  test('when the new email belongs to another account, then EMAIL_TAKEN and no confirmation is sent', async () => {
    const f = await fixture();
    await f.users.create(
      User.register({
        id: '00000000-0000-4000-8000-0000000000bb',
        email: Email.create('bob@example.com'),
        name: 'Bob',
        passwordHash: 'x',
        now: NOW,
      }),
    );
    await expect(
      f.profile.execute({
        userId: f.ada.id,
        sessionId: 's1',
        email: 'bob@example.com',
        currentPassword: 'correct horse',
      }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
    expect(f.security.emailChanges).toEqual([]);
  });

  test('when the avatar is replaced by an https URL, then the uploaded file is deleted', async () => {
    const f = await fixture();
    const uploaded = await f.avatars.upload(f.ada.id, PNG);
    expect(f.store.files.size).toBe(1);
    await f.profile.execute({ userId: f.ada.id, sessionId: 's1', avatarUrl: 'https://cdn.example/ada.png' });
    expect(f.store.files.size).toBe(0);
    expect(uploaded.profile.avatarUrl).toMatch(/^\/api\/v1\/avatars\/[0-9a-f-]{36}-[0-9a-f]{16}\.png$/);
  });
});

describe('ManageAccounts', () => {
  test('when an admin bans a user, then sessions end, the change is audited with from/to, and an event is published', async () => {
    const f = await fixture();
    const user = await f.accounts.changeStatus({ actorId: ADMIN, userId: f.ada.id, status: 'banned' });
    expect(user.status).toBe('banned');
    expect(f.security.ended).toEqual([{ userId: f.ada.id, reason: 'status_banned', except: undefined }]);
    expect(f.audit).toEqual([
      expect.objectContaining({
        action: 'user.status.changed',
        actorId: ADMIN,
        metadata: { from: 'active', to: 'banned', sessionsEnded: true },
      }),
    ]);
    expect(f.events).toEqual(['UserStatusChanged']);
  });

  test('when the status does not change, then nothing is saved, audited or published', async () => {
    const f = await fixture();
    await f.accounts.changeStatus({ actorId: ADMIN, userId: f.ada.id, status: 'active' });
    expect([f.audit, f.events, f.security.ended]).toEqual([[], [], []]);
  });

  test('when the user is unknown, then USER_NOT_FOUND', async () => {
    const f = await fixture();
    await expect(f.accounts.changeStatus({ actorId: ADMIN, userId: ADMIN, status: 'banned' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  test('when users delete themselves with the right password, then the account is gone and its avatar file too', async () => {
    const f = await fixture();
    await f.avatars.upload(f.ada.id, PNG);
    await f.accounts.deleteSelf({ userId: f.ada.id, password: 'correct horse' });
    expect(await f.users.findById(f.ada.id)).toBeNull();
    expect(f.store.files.size).toBe(0);
    expect(f.security.ended).toEqual([{ userId: f.ada.id, reason: 'account_deleted', except: undefined }]);
    expect(f.audit.at(-1)).toMatchObject({ action: 'user.deleted', actorId: f.ada.id, metadata: { by: 'self' } });
  });

  test('when the password is wrong, then nothing is deleted', async () => {
    const f = await fixture();
    await expect(f.accounts.deleteSelf({ userId: f.ada.id, password: 'nope' })).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    expect(await f.users.findById(f.ada.id)).not.toBeNull();
  });

  test('when an admin deletes another account, then the audit keeps the admin as actor; deleting oneself this way is refused', async () => {
    const f = await fixture();
    await expect(f.accounts.deleteOther({ actorId: ADMIN, userId: ADMIN })).rejects.toMatchObject({
      code: 'USE_SELF_SERVICE',
    });
    await f.accounts.deleteOther({ actorId: ADMIN, userId: f.ada.id });
    expect(f.audit.at(-1)).toMatchObject({
      action: 'user.deleted',
      actorId: ADMIN,
      targetId: f.ada.id,
      metadata: { by: 'platform_admin' },
    });
  });
});

describe('Avatars', () => {
  test('when the bytes are not an image, then UNSUPPORTED_IMAGE and nothing is stored', async () => {
    const f = await fixture();
    await expect(f.avatars.upload(f.ada.id, Buffer.from('<?php echo 1; ?>'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_IMAGE',
    });
    expect(f.store.files.size).toBe(0);
  });

  test('when a new avatar replaces the old, then the old file is deleted and the new one is readable by key', async () => {
    const f = await fixture();
    const first = (await f.avatars.upload(f.ada.id, PNG)).profile.avatarUrl!;
    const second = (await f.avatars.upload(f.ada.id, PNG)).profile.avatarUrl!;
    const keyOf = (url: string) => url.split('/').pop()!;
    expect([...f.store.files.keys()]).toEqual([keyOf(second)]);
    await expect(f.avatars.read(keyOf(first))).rejects.toMatchObject({ code: 'AVATAR_NOT_FOUND' });
    expect((await f.avatars.read(keyOf(second))).bytes).toEqual(PNG);
  });

  test('when the profile points at another user’s stored key, then discarding never deletes that file', async () => {
    const f = await fixture();
    await f.store.put('00000000-0000-4000-8000-0000000000bb-0123456789abcdef.png', PNG, 'image/png');
    await f.avatars.discard(f.ada.id, '/api/v1/avatars/00000000-0000-4000-8000-0000000000bb-0123456789abcdef.png');
    expect(f.store.files.size).toBe(1);
  });

  test.each(['../../etc/passwd', '.hidden', 'a/b.png'])(
    'when the key is %s, then AVATAR_NOT_FOUND without touching the store',
    async (key) => {
      const f = await fixture();
      await expect(f.avatars.read(key)).rejects.toMatchObject({ code: 'AVATAR_NOT_FOUND' });
    },
  );
});
