import { dataEnvelope, pageEnvelope } from './envelope';
import { compileSerializer } from './serializer';
import { z } from './zod';

// Shaped like the user module's views (core may not import modules): a full view and a summary.
const userView = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  status: z.enum(['active', 'inactive', 'banned']),
  emailVerified: z.boolean(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
const userSummaryView = userView.pick({
  id: true,
  email: true,
  name: true,
  avatarUrl: true,
  timezone: true,
  status: true,
  createdAt: true,
});

const user = {
  id: '3f1c7f5e-8a2b-4c1d-9e0f-1a2b3c4d5e6f',
  email: 'ada@example.com',
  name: 'Ada',
  avatarUrl: null,
  locale: 'en-GB',
  timezone: null,
  status: 'active' as const,
  emailVerified: true,
  lastLoginAt: '2026-12-01T10:00:00.000Z',
  createdAt: '2026-11-01T10:00:00.000Z',
};
const summary = {
  id: user.id,
  email: user.email,
  name: user.name,
  avatarUrl: user.avatarUrl,
  timezone: user.timezone,
  status: user.status,
  createdAt: user.createdAt,
};
const secrets = { passwordHash: '$2b$12$abcdefghijklmnopqrstuv', refreshToken: 'rt_secret', __proto__x: 1 };

function serialize(schema: z.ZodType, value: unknown): unknown {
  const write = compileSerializer(schema);
  if (!write) throw new Error('not compiled');
  return JSON.parse(write(value));
}

describe('compiled response serializer', () => {
  test('when an object carries undeclared fields (a hash, a token), then they are not written, exactly as zod strips them', () => {
    const schema = dataEnvelope(userView);
    const value = { data: { ...user, ...secrets } };

    const written = serialize(schema, value);

    expect(written).toEqual(schema.parse(value));
    expect(JSON.stringify(written)).not.toMatch(/passwordHash|\$2b\$|rt_secret|__proto__x/);
  });

  test('when a page of a union mixes full and summary views, then each item keeps the fields of the branch zod picks', () => {
    const schema = pageEnvelope(z.union([userView, userSummaryView]));
    const value = {
      data: [
        { ...summary, ...secrets },
        { ...user, ...secrets },
        { ...summary, locale: 'fr-FR', passwordHash: 'x' },
      ],
      meta: { page: 1, limit: 20, total: 3, internal: 'not documented' },
    };

    expect(serialize(schema, value)).toEqual(schema.parse(value));
    expect(JSON.stringify(serialize(schema, value))).not.toMatch(/passwordHash|internal|locale":"fr/);
  });

  test('when optional fields are absent or null and records hold values, then the output equals zod output', () => {
    const schema = dataEnvelope(
      z.object({
        note: z.string().optional(),
        gone: z.string().nullable(),
        count: z.number().int(),
        flags: z.array(z.boolean()),
        kind: z.literal('ok'),
        checks: z.record(z.string(), z.literal('up')),
      }),
    );
    const value = { data: { gone: null, count: 3, flags: [true, false], kind: 'ok', checks: { db: 'up' }, x: 1 } };

    expect(serialize(schema, value)).toEqual(schema.parse(value));
  });

  test('when strings hold quotes, control characters and unicode, then they round-trip as zod would give them', () => {
    const schema = dataEnvelope(userSummaryView);
    const value = { data: { ...summary, name: 'Ada "the" \\ Count\u0000ess \u2028 😀 </script>' } };

    expect(serialize(schema, value)).toEqual(schema.parse(value));
  });

  test.each([
    ['a transform', z.object({ at: z.string().transform((s) => s.length) })],
    ['a default', z.object({ page: z.number().default(1) })],
    ['a date', z.object({ at: z.date() })],
    ['a strict object', z.strictObject({ a: z.string() })],
    ['a loose object', z.looseObject({ a: z.string() })],
    ['a coercion', z.object({ n: z.coerce.number() })],
  ])('when the schema has %s, then no serializer is compiled (zod keeps parsing it)', (_case, schema) => {
    expect(compileSerializer(dataEnvelope(schema))).toBeNull();
  });
});
