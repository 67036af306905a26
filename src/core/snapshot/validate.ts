/**
 * A small JSON Schema interpreter for the subset our shipped schema uses
 * (type, const, enum, properties, required, additionalProperties, items,
 * pattern, minimum, maximum, minLength, anyOf, oneOf, $ref to #/$defs). It reports the
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
  maximum?: number;
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
  const resolved = new Map<Schema, Schema>();
  const resolveCached = (s: Schema): Schema => {
    let r = resolved.get(s);
    if (!r) resolved.set(s, (r = resolve(s)));
    return r;
  };
  // the JSON pointer is built only when a problem is reported: validating 100 000
  // attributes must not build 100 000 strings
  const segs: string[] = [];
  const here = () => (segs.length ? '/' + segs.map(esc).join('/') : '/');
  const check = (schema: Schema, v: unknown): string | null => {
    const s = resolveCached(schema);
    const problem = (what: string) => `at ${here()}: ${what}`;
    if (s.const !== undefined && v !== s.const) return problem(`expected ${show(s.const)}, found ${show(v)}`);
    if (s.enum && !s.enum.includes(v)) return problem(`expected one of ${s.enum.map(show).join(', ')}, found ${show(v)}`);
    if (s.type) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      const t = typeOf(v);
      if (!types.some((w) => typeMatches(t, w))) return problem(`expected ${types.join(' or ')}, found ${t}`);
    }
    if (s.anyOf) {
      // the first alternative that passes ends it: no error strings built for the others
      let first: string | null = null;
      let best: string | null = null;
      let passed = false;
      for (const a of s.anyOf) {
        const p = check(a, v);
        if (p === null) { passed = true; break; }
        first ??= p;
        // report the alternative that got furthest (the longest pointer) as the likely intent
        if (best === null || p.split(':')[0]!.length > best.split(':')[0]!.length) best = p;
      }
      if (!passed) return best ?? first;
    }
    if (s.oneOf) {
      const problems = s.oneOf.map((a) => check(a, v));
      const passing = problems.filter((p) => p === null).length;
      if (passing === 0) return problems.reduce((b, p) => (p!.split(':')[0]!.length > b!.split(':')[0]!.length ? p : b))!;
      if (passing > 1) return problem('matches more than one allowed form');
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) return problem(`string shorter than ${s.minLength}`);
      if (s.pattern && !patternOf(s.pattern).test(v)) return problem(`${show(v)} does not match ${s.pattern}`);
    }
    if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum) return problem(`${v} is below ${s.minimum}`);
    if (typeof v === 'number' && s.maximum !== undefined && v > s.maximum) return problem(`${v} is above ${s.maximum}`);
    if (Array.isArray(v) && s.items) {
      for (let i = 0; i < v.length; i++) {
        segs.push(String(i));
        const p = check(s.items, v[i]);
        segs.pop();
        if (p) return p;
      }
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of s.required ?? []) if (!(r in obj)) return problem(`missing required property "${r}"`);
      for (const k in obj) {
        const sub = s.properties?.[k] ?? (s.additionalProperties === false ? false : typeof s.additionalProperties === 'object' ? s.additionalProperties : null);
        if (sub === false) return problem(`unexpected property "${k}"`);
        if (sub === null) continue;
        segs.push(k);
        const p = check(sub, obj[k]);
        segs.pop();
        if (p) return p;
      }
    }
    return null;
  };
  return check(root, value);
}

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}
