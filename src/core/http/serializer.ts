import fastJson from 'fast-json-stringify';
import { z } from './zod';

/** Zod types whose output fast-json-stringify reproduces exactly: values pass through unchanged. */
const PLAIN = new Set(['string', 'number', 'boolean', 'null', 'enum', 'literal']);
const WRAPPERS = new Set(['nullable', 'optional', 'array', 'union', 'record']);

interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  coerce?: boolean;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Whether zod's parse of valid data only drops undeclared keys. Transforms, defaults, coercion,
 * dates, lazy schemas and strict or loose objects change, fill or refuse values; their routes
 * keep zod.
 */
function serializable(schema: z.ZodType): boolean {
  const def = defOf(schema);
  if (PLAIN.has(def.type)) return !def.coerce;
  if (def.type === 'object') {
    return def.catchall === undefined && Object.values(def.shape ?? {}).every(serializable);
  }
  if (!WRAPPERS.has(def.type)) return false;
  const children = [def.innerType, def.element, def.valueType, ...(def.options ?? [])];
  return children.filter((c): c is z.ZodType => c !== undefined).every(serializable);
}

/**
 * zod's JSON Schema of an output says `additionalProperties: false`; fast-json-stringify already
 * writes declared properties only, and for a union it picks the first branch that validates, so
 * without the keyword it picks, as zod does, the first branch whose declared fields match.
 */
function withoutClosedObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutClosedObjects);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, withoutClosedObjects(value)]),
  );
}

/**
 * A response writer compiled from the schema that documents the response: it writes the declared
 * fields only, as zod's parse would keep them, and never an undeclared one (a password hash on
 * the object is simply not written). Unlike parse, it does not check the values: the route's
 * types do, and in tests the registry compares its output with zod's on every response.
 * Returns null for a schema whose parse does more than drop keys (see `serializable`).
 */
export function compileSerializer(schema: z.ZodType): ((value: unknown) => string) | null {
  if (!serializable(schema)) return null;
  const jsonSchema = withoutClosedObjects(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }));
  const { $schema: _ignored, ...rest } = jsonSchema as Record<string, unknown>;
  return fastJson(rest as unknown as Parameters<typeof fastJson>[0]);
}
