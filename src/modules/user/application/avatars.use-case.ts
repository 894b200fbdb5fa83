import { randomBytes } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { FileStore } from '../../../core/infrastructure/storage/file-store';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import {
  AVATAR_CONTENT_TYPES,
  AVATAR_KEY_PATTERN,
  UnsupportedImageError,
  avatarKey,
  sniffImageType,
} from '../domain/avatar';
import { AvatarNotFoundError, UserNotFoundError } from '../domain/errors';
import type { User } from '../domain/user';
import type { UserRepository } from '../domain/user.repository';
import { AVATAR_SETTINGS, AVATAR_STORE, USER_REPOSITORY } from './tokens';

/**
 * Avatar images: recognised by content (PNG, JPEG, WebP), stored under an unguessable key,
 * served back by key. The profile keeps the URL; a replaced or removed avatar's file is deleted.
 */
@Service()
export class Avatars {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(AVATAR_STORE) private readonly store: FileStore,
    @Inject(AVATAR_SETTINGS) private readonly settings: { publicPath: string },
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async upload(userId: string, bytes: Buffer): Promise<User> {
    const type = sniffImageType(bytes);
    if (!type) throw new UnsupportedImageError();
    const key = avatarKey(userId, randomBytes(8).toString('hex'), type);
    await this.store.put(key, bytes, AVATAR_CONTENT_TYPES[type]);
    try {
      return await this.setAvatar(userId, `${this.settings.publicPath}/${key}`, 'user.avatar.uploaded');
    } catch (err) {
      await this.store.delete(key);
      throw err;
    }
  }

  remove(userId: string): Promise<User> {
    return this.setAvatar(userId, null, 'user.avatar.removed');
  }

  async read(key: string): Promise<{ bytes: Buffer; contentType: string }> {
    const file = AVATAR_KEY_PATTERN.test(key) ? await this.store.get(key) : null;
    if (!file) throw new AvatarNotFoundError();
    return file;
  }

  /** Deletes the stored file behind a user's avatar URL, if it is one of theirs in our store. */
  async discard(userId: string, avatarUrl: string | null): Promise<void> {
    const prefix = `${this.settings.publicPath}/`;
    const key = avatarUrl?.startsWith(prefix) ? avatarUrl.slice(prefix.length) : null;
    if (key && AVATAR_KEY_PATTERN.test(key) && key.startsWith(`${userId}-`)) await this.store.delete(key);
  }

  private async setAvatar(userId: string, avatarUrl: string | null, action: string): Promise<User> {
    const { user, previous } = await this.tx.run(async () => {
      const account = await this.users.findByIdForUpdate(userId);
      if (!account) throw new UserNotFoundError();
      const before = account.profile.avatarUrl;
      account.updateProfile({ avatarUrl }, this.clock.now());
      await this.users.save(account);
      await this.audit.record({ action, actorId: userId, targetType: 'user', targetId: userId });
      return { user: account, previous: before };
    });
    if (previous !== avatarUrl) await this.discard(userId, previous);
    return user;
  }
}
