/**
 * Where output goes. stdout carries the command's data (and with --json nothing
 * but JSON); diagnostics go to stderr. bigints (kernel u64 values) serialise
 * through jsonInt: a number when a double holds it exactly, else a digit string.
 * toJson() (core/json.ts) is the one JSON writer.
 */
import { isatty } from 'node:tty';
import { toJson, type JsonOptions } from '../core/json.js';
import { visible } from './visible.js';

export { toJson, type JsonOptions } from '../core/json.js';

export interface IoOptions {
  /** the command path ("model em"): names the document's format, powercapctl-model-em */
  command?: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

export class Io {
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  private warned = new Set<string>();
  constructor(readonly options: IoOptions) {
    // isatty(2) on the descriptors: asking process.stdin builds a stream (about 2 ms of every start)
    this.stdoutIsTTY = isatty(1);
    this.stdinIsTTY = isatty(0);
    this.stderrIsTTY = isatty(2);
  }
  /** a line (or block) of data on stdout */
  out(text: string): void {
    const t = visible(text, { tabs: true }); // text from a source never reaches the terminal raw (cli/visible.ts)
    process.stdout.write(t.endsWith('\n') ? t : t + '\n');
  }
  /**
   * A JSON document on stdout. Every document says what it is and which version of its
   * shape it follows, as snapshots do: `format` (powercapctl-<command>) and `version`
   * first, then the command's keys; schema/<command>.schema.json describes each
   * (README "JSON output"). A document that names its own powercapctl format keeps it;
   * document() prints a file's content as it is (a profile on stdout).
   */
  json(value: unknown, opts: JsonOptions = {}): void {
    process.stdout.write(toJson(withFormat(value, this.options.command), opts) + '\n');
  }
  /** a document that is a file's content (a profile written to stdout), printed as it is */
  document(value: unknown, opts: JsonOptions = {}): void {
    process.stdout.write(toJson(value, opts) + '\n');
  }
  /** a warning on stderr (suppressed by --quiet); identical warnings are printed once */
  warn(message: string): void {
    if (this.options.quiet || this.warned.has(message)) return;
    this.warned.add(message);
    process.stderr.write(`warning: ${visible(message)}\n`);
  }
  /** a hint or note on stderr (suppressed by --quiet) */
  note(message: string): void {
    if (this.options.quiet) return;
    process.stderr.write(`${visible(message)}\n`);
  }
  /** detail shown with --verbose only */
  debug(message: string): void {
    if (this.options.verbose) process.stderr.write(`${visible(message)}\n`);
  }
  /** interactive niceties (spinners, prompts, live redraws) only for a person at a terminal */
  get interactive(): boolean {
    return this.stdoutIsTTY && !this.options.json;
  }
}

/** The version of every --json shape; raised only when a key is renamed or removed. */
export const JSON_VERSION = 1;

/** `{ format, version, ...value }` for a plain object from a command, unless it names its own powercapctl format. */
export function withFormat(value: unknown, command: string | undefined): unknown {
  if (command === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  if (typeof v.format === 'string' && v.format.startsWith('powercapctl-')) return value;
  return { format: `powercapctl-${command.replace(/ /g, '-')}`, version: JSON_VERSION, ...v };
}
