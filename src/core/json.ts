/**
 * The one JSON writer: stdout documents (cli/io.ts), exported files and snapshot files. 2-space
 * indentation; bigints (kernel u64 values) as jsonInt: a number when a double holds it exactly,
 * else a digit string.
 */
import { jsonInt } from './units.js';

const bigints = (_k: string, v: unknown) => (typeof v === 'bigint' ? jsonInt(v) : v);

export interface JsonOptions {
  /**
   * Arrays of more than 64 objects (a budget's 10 000 actors, a table's states) get one element
   * per line: the document stays readable and half the size. Default: every value on its own lines.
   */
  longArrays?: 'one-per-line';
}

/** The one JSON writer: 2-space indentation, bigints as jsonInt, long arrays as options say. */
export function toJson(value: unknown, opts: JsonOptions = {}): string {
  if (opts.longArrays !== 'one-per-line') return JSON.stringify(value, bigints, 2);
  return jsonText(value, '');
}

const LONG_ARRAY = 64;

/** JSON.stringify, with the bigint replacer only when needed (it costs more than the work on 10 000 leaves). */
function compact(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    if (err instanceof TypeError) return JSON.stringify(value, bigints) ?? 'null';
    throw err;
  }
}

function jsonText(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    if (value.length > LONG_ARRAY && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      return '[\n' + inner + oneElementPerLine(value as object[], ',\n' + inner) + '\n' + indent + ']';
    }
    return '[\n' + value.map((v) => inner + jsonText(v, inner)).join(',\n') + '\n' + indent + ']';
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function');
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return '{\n' + entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonText(v, inner)}`).join(',\n') + '\n' + indent + '}';
  }
  return compact(value);
}

/**
 * Objects joined by `sep`, each on one line: one native JSON.stringify of the whole array, cut
 * at the element boundaries `},{"key"` where "key" is the first key of the first object (a quote
 * inside a string is escaped, so that text only occurs between elements, or inside a nested array
 * of like objects, where a line break is still valid JSON). 10 000 actors take a few ms; elements
 * that start with another key merely share a line.
 */
function oneElementPerLine(list: object[], sep: string): string {
  let first: string | undefined;
  for (const k in list[0]) { first = k; break; }
  if (first === undefined) return list.map(compact).join(sep);
  const key = JSON.stringify(first);
  return compact(list).slice(1, -1).replaceAll(`},{${key}:`, `}${sep}{${key}:`);
}
