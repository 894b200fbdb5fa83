import fc from 'fast-check';
import { types } from 'pg';
import { parseTimestampsFaster } from './timestamps';

const TIMESTAMPTZ = types.builtins.TIMESTAMPTZ;

/** A timestamptz as PostgreSQL prints it (DateStyle ISO): `2026-12-04 07:59:09.123456+05:30`. */
const printed = fc
  .record({
    ms: fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(2400, 0, 1) }),
    micros: fc.integer({ min: 0, max: 999 }),
    digits: fc.integer({ min: 0, max: 6 }),
    offsetMinutes: fc.constantFrom(0, 0, 0, 60, -480, 330, 345, -570),
  })
  .map(({ ms, micros, digits, offsetMinutes }) => {
    const local = new Date(ms + offsetMinutes * 60_000).toISOString();
    const year = local.slice(0, 4);
    const fraction = `${local.slice(20, 23)}${String(micros).padStart(3, '0')}`.slice(0, digits).replace(/0+$/, '');
    const sign = offsetMinutes < 0 ? '-' : '+';
    const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
    const minutes = Math.abs(offsetMinutes) % 60;
    const offset = `${sign}${hours}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
    return `${year}${local.slice(4, 10)} ${local.slice(11, 19)}${fraction ? `.${fraction}` : ''}${offset}`;
  });

const asValue = (parsed: unknown) => (parsed instanceof Date ? parsed.getTime() : parsed);

describe('timestamp parsing', () => {
  const pgDefault = types.getTypeParser(TIMESTAMPTZ);

  beforeAll(() => parseTimestampsFaster());

  test('when installed, then timestamptz values parse to the same instants as pg’s own parser gives', () => {
    const faster = types.getTypeParser(TIMESTAMPTZ);
    expect(faster).not.toBe(pgDefault);
    fc.assert(
      fc.property(printed, (text) => {
        expect(asValue(faster(text))).toBe(asValue(pgDefault(text)));
      }),
      { numRuns: 2_000 },
    );
  });

  test.each(['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-12-31 23:59:59.999999+00'])(
    'when PostgreSQL sends %s, then both parsers agree',
    (text) => {
      expect(asValue(types.getTypeParser(TIMESTAMPTZ)(text))).toEqual(asValue(pgDefault(text)));
    },
  );
});
