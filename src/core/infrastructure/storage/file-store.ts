import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Stored files (avatars): a local directory here; an object store would implement the same port. */
export interface FileStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<{ bytes: Buffer; contentType: string } | null>;
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Files in one directory, named by key. Keys are checked (no separators, no leading dot), so a
 * key can never leave the directory. The content type is kept beside the file.
 */
export class LocalFileStore implements FileStore {
  constructor(private readonly dir: string) {}

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.pathOf(`${key}.type`), contentType);
    await writeFile(this.pathOf(key), bytes);
  }

  async get(key: string): Promise<{ bytes: Buffer; contentType: string } | null> {
    try {
      const [bytes, contentType] = await Promise.all([
        readFile(this.pathOf(key)),
        readFile(this.pathOf(`${key}.type`), 'utf8'),
      ]);
      return { bytes, contentType };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await Promise.all([rm(this.pathOf(key), { force: true }), rm(this.pathOf(`${key}.type`), { force: true })]);
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error('Invalid storage key');
    return path.join(this.dir, key);
  }
}
