import type { AuditRecord } from '../domain/audit-trail';
import { CSV_HEADER, csvCell, csvLines, ndjsonLines } from './audit-export-format';

const record = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  id: '7d5b1c36-3a43-4c8f-9a53-2b3f6e4b9a10',
  at: new Date('2026-12-04T10:00:00.123Z'),
  position: '2026-12-04T10:00:00.123456Z',
  actorId: null,
  action: 'member.invited',
  targetType: 'invitation',
  targetId: null,
  ip: '203.0.113.9',
  userAgent: 'curl/8',
  requestId: 'r1',
  metadata: { role: 'member' },
  ...over,
});

describe('audit export formats', () => {
  test.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
  ])('when a CSV cell holds %j, then it is written %j', (value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  test('when a record is written as CSV, then nulls are empty, metadata is JSON and the row ends with CRLF', () => {
    expect(CSV_HEADER).toBe('id,at,actorId,action,targetType,targetId,ip,userAgent,requestId,metadata\r\n');
    expect(csvLines([record()])).toBe(
      '7d5b1c36-3a43-4c8f-9a53-2b3f6e4b9a10,2026-12-04T10:00:00.123456Z,,member.invited,invitation,,203.0.113.9,curl/8,r1,"{""role"":""member""}"\r\n',
    );
  });

  test('when metadata would start a formula, then its JSON is not escaped (it starts with {) but a formula-like action is', () => {
    expect(csvLines([record({ action: '=cmd|calc', metadata: {} })])).toContain(",'=cmd|calc,");
  });

  test('when written as NDJSON, then each record is one JSON line with the microsecond timestamp', () => {
    const lines = ndjsonLines([record(), record({ id: 'x' })]).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ at: '2026-12-04T10:00:00.123456Z', metadata: { role: 'member' } });
  });
});
