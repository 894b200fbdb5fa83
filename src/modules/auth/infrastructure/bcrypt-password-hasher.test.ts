import { BcryptPasswordHasher } from './bcrypt-password-hasher';

describe('BcryptPasswordHasher', () => {
  const hasher = new BcryptPasswordHasher(4);

  test('when a password is hashed, then it verifies and the hash uses the configured cost', async () => {
    const hash = await hasher.hash('a long passphrase');
    expect(hash).toMatch(/^\$2b\$04\$/);
    await expect(hasher.verify('a long passphrase', hash)).resolves.toBe(true);
    await expect(hasher.verify('another passphrase', hash)).resolves.toBe(false);
  });

  test('when two long passwords differ only after byte 72, then they do not match', async () => {
    const base = 'x'.repeat(72);
    const hash = await hasher.hash(`${base}-the-real-ending`);
    await expect(hasher.verify(`${base}-another-ending`, hash)).resolves.toBe(false);
    await expect(hasher.verify(`${base}-the-real-ending`, hash)).resolves.toBe(true);
  });

  test('when there is no stored hash, then it compares against the dummy and still answers false', async () => {
    await expect(hasher.verify('dummy password for timing equalisation', null)).resolves.toBe(false);
  });
});
