/**
 * Where output goes. stdout carries the command's data (and with --json nothing
 * but JSON); diagnostics go to stderr. bigints (kernel u64 values) serialise
 * through jsonInt: a number when a double holds it exactly, else a digit string.
 * toJson() (core/json.ts) is the one JSON writer.
 */
import { toJson, type JsonOptions } from '../core/json.js';

export { toJson, type JsonOptions } from '../core/json.js';

export interface IoOptions {
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
