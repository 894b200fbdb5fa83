import { ValidationError } from '../../../core/errors/app-error';

export type ImageType = 'png' | 'jpeg' | 'webp';

export const AVATAR_CONTENT_TYPES: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

const EXTENSION: Record<ImageType, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

/** Recognises an image by its first bytes (magic numbers), never by a name or a declared type. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const startsWith = (signature: number[], offset = 0) =>
    bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'jpeg';
  // RIFF <size> WEBP
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return null;
}

export class UnsupportedImageError extends ValidationError {
  constructor() {
    super(
      'The avatar must be a PNG, JPEG or WebP image',
      [{ path: 'body.file', message: 'Unsupported image type' }],
      'UNSUPPORTED_IMAGE',
    );
  }
}

/** Storage key of a new avatar: unguessable, and the extension comes from the sniffed type. */
export function avatarKey(userId: string, random: string, type: ImageType): string {
  return `${userId}-${random}.${EXTENSION[type]}`;
}

export const AVATAR_KEY_PATTERN = /^[0-9a-f-]{36}-[0-9a-f]{16}\.(png|jpg|webp)$/;

export function contentTypeOfKey(key: string): string {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  return extension === 'png'
    ? AVATAR_CONTENT_TYPES.png
    : extension === 'webp'
      ? AVATAR_CONTENT_TYPES.webp
      : AVATAR_CONTENT_TYPES.jpeg;
}
