/**
 * Where output goes. stdout carries the command's data (and with --json nothing
 * but JSON); diagnostics go to stderr. bigints (kernel u64 values) serialise
 * through jsonInt: a number when a double holds it exactly, else a digit string.
 * toJson() is the one JSON writer (stdout documents, exported files, snapshots).
 */
import { jsonInt } from '../core/units.js';

export interface IoOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

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

export class Io {
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  private warned = new Set<string>();
  constructor(readonly options: IoOptions) {
    this.stdoutIsTTY = Boolean(process.stdout.isTTY);
    this.stdinIsTTY = Boolean(process.stdin.isTTY);
    this.stderrIsTTY = Boolean(process.stderr.isTTY);
  }
  /** a line (or block) of data on stdout */
  out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
  /** a JSON document on stdout */
  json(value: unknown, opts: JsonOptions = {}): void {
    process.stdout.write(toJson(value, opts) + '\n');
  }
  /** a warning on stderr (suppressed by --quiet); identical warnings are printed once */
  warn(message: string): void {
    if (this.options.quiet || this.warned.has(message)) return;
    this.warned.add(message);
    process.stderr.write(`warning: ${message}\n`);
  }
  /** a hint or note on stderr (suppressed by --quiet) */
  note(message: string): void {
    if (this.options.quiet) return;
    process.stderr.write(`${message}\n`);
  }
  /** detail shown with --verbose only */
  debug(message: string): void {
    if (this.options.verbose) process.stderr.write(`${message}\n`);
  }
  /** interactive niceties (spinners, prompts, live redraws) only for a person at a terminal */
  get interactive(): boolean {
    return this.stdoutIsTTY && !this.options.json;
  }
}
