/**
 * Walks the scenario schema along a JSON path to the object schema that
 * applies there (following the data through discriminated unions), so that
 * an unknown key's message can list the valid keys and suggest the nearest.
 * Reads zod 4's public definition objects (`_zod.def`); only error messages
 * depend on it.
 */
import type { z } from 'zod';
import type { JsonPath } from './errors';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
  discriminator?: string;
  valueType?: z.ZodType;
  values?: unknown[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strip wrappers (optional, default, pipe into a transform, ...). */
function unwrap(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType !== undefined) s = d.innerType;
    else if (d.type === 'pipe' && d.in !== undefined) s = d.in;
    else break;
  }
  return s;
}

/** The option of a union that fits `data` (by discriminator, else the first object option holding the keys). */
function pick(s: z.ZodType, data: unknown): z.ZodType {
  const d = defOf(s);
  if (d.type !== 'union' || d.options === undefined) return s;
  const options = d.options.map(unwrap);
  const objects = options.filter((o) => defOf(o).type === 'object' || defOf(o).type === 'union');
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const disc = d.discriminator;
    if (disc !== undefined) {
      const v = (data as Record<string, unknown>)[disc];
      const hit = objects.find((o) => {
        const lit = defOf(o).shape?.[disc];
        return lit !== undefined && (defOf(unwrap(lit)).values ?? []).includes(v);
      });
      if (hit !== undefined) return hit;
    }
    for (const o of objects) {
      const inner = pick(o, data);
      if (defOf(inner).type === 'object') return inner;
    }
  }
  return objects[0] ?? s;
}

/** The keys an object may have at `path` in `root`, as the schema says; [] when the path leads to no object. */
export function knownKeys(schema: z.ZodType, root: unknown, path: JsonPath): string[] {
  let s = unwrap(schema);
  let data: unknown = root;
  for (const k of path) {
    s = unwrap(pick(s, data));
    const d = defOf(s);
    if (d.type === 'object' && typeof k === 'string' && d.shape?.[k] !== undefined) s = d.shape[k];
    else if (d.type === 'array' && d.element !== undefined) s = d.element;
    else if (d.type === 'tuple' && typeof k === 'number' && d.items?.[k] !== undefined) s = d.items[k];
    else if (d.type === 'record' && d.valueType !== undefined) s = d.valueType;
    else return [];
    data = data !== null && typeof data === 'object' ? (data as Record<string | number, unknown>)[k] : undefined;
    s = unwrap(s);
  }
  const last = unwrap(pick(unwrap(s), data));
  const shape = defOf(last).shape;
  return shape !== undefined ? Object.keys(shape) : [];
}
