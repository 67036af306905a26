/**
 * A small JSON Schema interpreter for the subset our shipped schema uses
 * (type, const, enum, properties, required, additionalProperties, items,
 * pattern, minimum, minLength, anyOf, oneOf, $ref to #/$defs). It reports the
 * first problem with its JSON pointer, which is what a user needs to fix a file.
 */
export type Schema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  pattern?: string;
  minimum?: number;
  minLength?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  $defs?: Record<string, Schema>;
  [k: string]: unknown;
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 37) + '...' : s;
};

/** Returns null when valid, else "at <pointer>: <problem>". */
export function validate(root: Schema, value: unknown): string | null {
  const resolve = (s: Schema): Schema => {
    if (!s.$ref) return s;
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
    const target = m ? root.$defs?.[m[1]!] : undefined;
    if (!target) throw new Error(`schema: unresolvable $ref ${s.$ref}`);
    return resolve(target);
  };
  const check = (schema: Schema, v: unknown, at: string): string | null => {
    const s = resolve(schema);
    const where = at === '' ? '/' : at;
    if (s.const !== undefined && v !== s.const) return `at ${where}: expected ${show(s.const)}, found ${show(v)}`;
    if (s.enum && !s.enum.includes(v)) return `at ${where}: expected one of ${s.enum.map(show).join(', ')}, found ${show(v)}`;
    if (s.type) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      const t = typeOf(v);
      if (!types.some((w) => typeMatches(t, w))) return `at ${where}: expected ${types.join(' or ')}, found ${t}`;
    }
    if (s.anyOf || s.oneOf) {
      const alts = (s.anyOf ?? s.oneOf)!;
      const problems = alts.map((a) => check(a, v, at));
      const passing = problems.filter((p) => p === null).length;
      if (passing === 0) {
        // report the alternative that got furthest (the longest pointer) as the likely intent
        return problems.reduce((best, p) => ((p!.split(':')[0]!.length > best!.split(':')[0]!.length) ? p : best))!;
      }
      if (s.oneOf && passing > 1) return `at ${where}: matches more than one allowed form`;
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) return `at ${where}: string shorter than ${s.minLength}`;
      if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) return `at ${where}: ${show(v)} does not match ${s.pattern}`;
    }
    if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum) return `at ${where}: ${v} is below ${s.minimum}`;
    if (Array.isArray(v) && s.items) {
      for (let i = 0; i < v.length; i++) {
        const p = check(s.items, v[i], `${at}/${i}`);
        if (p) return p;
      }
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of s.required ?? []) if (!(r in obj)) return `at ${where}: missing required property "${r}"`;
      for (const [k, val] of Object.entries(obj)) {
        const sub = s.properties?.[k];
        if (sub) {
          const p = check(sub, val, `${at}/${esc(k)}`);
          if (p) return p;
        } else if (s.additionalProperties === false) {
          return `at ${where}: unexpected property "${k}"`;
        } else if (typeof s.additionalProperties === 'object') {
          const p = check(s.additionalProperties, val, `${at}/${esc(k)}`);
          if (p) return p;
        }
      }
    }
    return null;
  };
  return check(root, value, '');
}
