import { foldBareNullables } from './openapi-nullable';

describe('foldBareNullables', () => {
  test('when a union holds a bare {nullable: true}, then it is dropped and the typed members become nullable', () => {
    const doc = {
      paths: {
        '/x': {
          schema: {
            additionalProperties: {
              anyOf: [{ type: 'string', maxLength: 5 }, { type: 'number' }, { $ref: '#/c' }, { nullable: true }],
            },
          },
        },
      },
    };

    foldBareNullables(doc);

    expect(doc.paths['/x'].schema.additionalProperties.anyOf).toEqual([
      { type: 'string', maxLength: 5, nullable: true },
      { type: 'number', nullable: true },
      { $ref: '#/c' },
    ]);
  });

  test('when a nullable union has no typed member, then generation fails naming where', () => {
    const doc = { a: [{ oneOf: [{ $ref: '#/c' }, { nullable: true }] }] };

    expect(() => foldBareNullables(doc)).toThrow('#/a/0/oneOf: a nullable union needs a member with a type');
  });

  test('when nothing is a bare nullable, then the document is left as it was', () => {
    const doc = { anyOf: [{ type: 'string', nullable: true }, { type: 'integer' }], nullable: false };
    const before = JSON.stringify(doc);

    foldBareNullables(doc);

    expect(JSON.stringify(doc)).toBe(before);
  });
});
