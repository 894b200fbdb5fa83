type Json = unknown;

const isBareNullable = (value: Json): boolean =>
  !!value &&
  typeof value === 'object' &&
  Object.keys(value).length === 1 &&
  (value as { nullable?: unknown }).nullable === true;

/**
 * zod-to-openapi writes the `z.null()` member of a union as `{ "nullable": true }`, a schema
 * without a type, which OpenAPI 3.0 ignores and validators reject ("nullable" cannot be used
 * without "type"). 3.0 only knows null as `nullable` on a typed schema, so the bare member is
 * dropped and its typed siblings become nullable: the same set of accepted values. Walks the
 * whole document in place; throws if a union has no typed member to carry it, so a schema the
 * document cannot express fails at start-up rather than ships.
 */
export function foldBareNullables(node: Json, at = '#'): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => foldBareNullables(item, `${at}/${i}`));
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, Json>;
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const members = schema[keyword];
    if (!Array.isArray(members) || !members.some(isBareNullable)) continue;
    const rest = members.filter((m) => !isBareNullable(m)) as Record<string, Json>[];
    const typed = rest.filter((m) => typeof m.type === 'string');
    if (typed.length === 0) throw new Error(`${at}/${keyword}: a nullable union needs a member with a type`);
    typed.forEach((m) => (m.nullable = true));
    schema[keyword] = rest;
  }
  for (const [key, value] of Object.entries(schema)) foldBareNullables(value, `${at}/${key}`);
}
