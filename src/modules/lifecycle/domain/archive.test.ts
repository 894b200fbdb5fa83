import { ARCHIVE_FORMAT, checkHeader, checkManifest, EMPTY_SHA256, type ArchiveHeader } from './archive';

const KNOWN = ['20261124000000-tenant-base', '20261125000000-notifications'];
const header = (over: Partial<ArchiveHeader> = {}): ArchiveHeader => ({
  format: ARCHIVE_FORMAT,
  formatVersion: 1,
  createdAt: '2026-12-04T00:00:00.000Z',
  tenantVersion: KNOWN[0]!,
  workspace: {
    id: '11111111-1111-4111-8111-111111111111',
    ownerId: '22222222-2222-4222-8222-222222222222',
    name: 'Acme',
    slug: 'acme',
    status: 'active',
    settings: {},
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    deletedAt: null,
  },
  streams: [
    { name: 'directory/users', columns: ['id'] },
    { name: 'directory/memberships', columns: ['user_id'] },
    { name: 'tenant/members', columns: ['user_id'] },
  ],
  ...over,
});

describe('checkHeader', () => {
  test('when the header is a known version of this format, then it is accepted as it is', () => {
    expect(checkHeader(header(), KNOWN)).toEqual(header());
  });

  test.each([
    ['another format', { format: 'zip' }, 'ARCHIVE_INVALID'],
    ['a newer format', { formatVersion: 2 }, 'ARCHIVE_TOO_NEW'],
    ['a newer tenant version', { tenantVersion: '29990101000000-later' }, 'ARCHIVE_TOO_NEW'],
    ['an unknown older tenant version', { tenantVersion: '20200101000000-gone' }, 'ARCHIVE_INVALID'],
    [
      'a stream whose name could inject SQL',
      { streams: [{ name: 'tenant/x"; DROP', columns: ['a'] }] },
      'ARCHIVE_INVALID',
    ],
    [
      'a column whose name could inject SQL',
      { streams: [{ name: 'tenant/x', columns: ['a) ; --'] }] },
      'ARCHIVE_INVALID',
    ],
    ['no directory streams', { streams: [{ name: 'tenant/members', columns: ['user_id'] }] }, 'ARCHIVE_INVALID'],
  ])('when the header has %s, then it is refused with %s', (_what, over, code) => {
    expect(() => checkHeader({ ...header(), ...over }, KNOWN)).toThrow(expect.objectContaining({ code }));
  });
});

describe('checkManifest', () => {
  const digest = { rows: 1, bytes: 3, sha256: 'abc', parts: 1 };
  const streams = { 'directory/users': digest, 'directory/memberships': digest, 'tenant/members': digest };

  test('when what was read matches the manifest, then it passes; an empty stream read nothing and promised nothing', () => {
    const empty = { rows: 0, bytes: 0, sha256: EMPTY_SHA256, parts: 0 };
    const read = { 'directory/users': digest, 'directory/memberships': digest };
    expect(() => checkManifest({ streams: { ...streams, 'tenant/members': empty } }, header(), read)).not.toThrow();
  });

  test('when a stream differs from its promise, then ARCHIVE_CHECKSUM_MISMATCH names it', () => {
    expect(() =>
      checkManifest({ streams }, header(), { ...streams, 'tenant/members': { ...digest, sha256: 'abd' } }),
    ).toThrow(
      expect.objectContaining({
        code: 'ARCHIVE_CHECKSUM_MISMATCH',
        message: expect.stringContaining('tenant/members'),
      }),
    );
  });
});
