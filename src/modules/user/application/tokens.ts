import { Token } from 'typedi';
import type { FileStore } from '../../../core/infrastructure/storage/file-store';
import type { AccountSecurity } from '../domain/ports';
import type { UserRepository } from '../domain/user.repository';

export const USER_REPOSITORY = new Token<UserRepository>('UserRepository');
/** Bound by the auth module, which owns passwords and sessions. */
export const ACCOUNT_SECURITY = new Token<AccountSecurity>('AccountSecurity');
export const AVATAR_STORE = new Token<FileStore>('AvatarStore');
/** Where stored avatars are served: `${publicPath}/${key}`. */
export const AVATAR_SETTINGS = new Token<{ publicPath: string }>('AvatarSettings');
