/**
 * Where output goes. stdout carries the command's data (and with --json nothing
 * but JSON); diagnostics go to stderr. bigints (kernel u64 values) serialise
 * through jsonInt: a number when a double holds it exactly, else a digit string.
 * toJson() (core/json.ts) is the one JSON writer.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { toJson, type JsonOptions } from '../core/json.js';
import { jsonVisible, terminalSafe } from './visible.js';

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
  /** whether stdout is coloured (cli/color.ts makeColors with the same two facts) */
  readonly stdoutColor: boolean;
  private warned = new Set<string>();
  constructor(readonly options: IoOptions) {
    // on the descriptors: asking process.stdin builds a stream (about 2 ms of every start)
    this.stdoutIsTTY = isTerminal(1);
    this.stdinIsTTY = isTerminal(0);
    this.stderrIsTTY = isTerminal(2);
    this.stdoutColor = !options.json && colorLevel(options.color, this.stdoutIsTTY) > 0;
  }
  /**
   * A line (or block) of data on stdout. Renderers make text from a source visible before they
   * colour it (cli/visible.ts); what still holds a control is shown escaped here, and only the
   * palette's colour codes pass, and only when stdout is coloured.
   */
  out(text: string): void {
    const t = terminalSafe(text, { tabs: true, colour: this.stdoutColor });
    writeStdout(t.endsWith('\n') ? t : t + '\n');
  }
  /**
   * A JSON document on stdout. Every document says what it is and which version of its
   * shape it follows, as snapshots do: `format` (powercapctl-<command>) and `version`
   * first, then the command's keys; schema/<command>.schema.json describes each
   * (README "JSON output"). A document that names its own powercapctl format keeps it;
   * document() prints a file's content as it is (a profile on stdout).
   */
  json(value: unknown, opts: JsonOptions = {}): void {
    writeStdout(jsonVisible(toJson(withFormat(value, this.options.command), opts)) + '\n');
  }
  /** a document that is a file's content (a profile written to stdout), printed as it is */
  document(value: unknown, opts: JsonOptions = {}): void {
    writeStdout(jsonVisible(toJson(value, opts)) + '\n');
  }
  /** a warning on stderr (suppressed by --quiet); identical warnings are printed once */
  warn(message: string): void {
    if (this.options.quiet || this.warned.has(message)) return;
    this.warned.add(message);
    writeStderr(`warning: ${message}`);
  }
  /** a hint or note on stderr (suppressed by --quiet) */
  note(message: string): void {
    if (!this.options.quiet) writeStderr(message);
  }
  /** a line on stderr that --quiet keeps: what a failure rolled back, a log the user asked for */
  log(message: string): void {
    writeStderr(message);
  }
  /** detail shown with --verbose only */
  debug(message: string): void {
    if (this.options.verbose) writeStderr(message);
  }
  /** interactive niceties (spinners, prompts, live redraws) only for a person at a terminal */
  get interactive(): boolean {
    return this.stdoutIsTTY && !this.options.json;
  }
}

/**
 * Whether a descriptor is a terminal, as isatty(3), without node:tty until it may be one:
 * that module loads net and Node's streams, ~3 ms of a start that prints to a pipe or a file.
 * Only a character device can be a terminal, and /dev/null (output thrown away) never is.
 */
export function isTerminal(fd: number): boolean {
  let rdev: number;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    rdev = st.rdev;
  } catch {
    return false; // closed: isatty says no as well
  }
  try {
    if (fs.statSync('/dev/null').rdev === rdev) return false;
  } catch { /* no /dev/null: ask the terminal driver */ }
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}

/** whether process.stdout was made (its getter first read), set by whenStdoutMade */
let stdoutMade = false;

/**
 * Call `fn` with process.stdout when something first asks for it (main.ts: its EPIPE guard).
 * Making it loads Node's streams (~4 ms of a start): output through Io goes to the descriptor
 * until then (writeStdout).
 */
export function whenStdoutMade(fn: (stdout: NodeJS.WriteStream) => void): void {
  const own = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (!own?.get || !own.configurable) {
    stdoutMade = true;
    fn(process.stdout);
    return;
  }
  Object.defineProperty(process, 'stdout', {
    ...own,
    get() {
      Object.defineProperty(process, 'stdout', own);
      const stdout = process.stdout;
      stdoutMade = true;
      fn(stdout);
      return stdout;
    },
  });
}

/**
 * Data on stdout. Until process.stdout exists, written to descriptor 1 at once, as Node writes to
 * a file or pipe on Linux; then (a terminal, a command that draws, or a descriptor that refuses:
 * non-blocking and full, or the reader gone) through process.stdout, in order, with its EPIPE guard.
 */
export function writeStdout(text: string): void {
  if (stdoutMade) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += fs.writeSync(1, bytes, done);
  } catch {
    process.stdout.write(bytes.subarray(done));
  }
}

/**
 * Lines on stderr, for every writer there (Io, the error reporter, start-up and signal messages).
 * Nothing on stderr is coloured, so every escape sequence in `text` is shown (cli/visible.ts).
 */
export function writeStderr(text: string): void {
  process.stderr.write(terminalSafe(text) + '\n');
}

/**
 * The colour level of a stream: none unless wanted (not --no-color); NO_COLOR disables,
 * FORCE_COLOR forces (its level); otherwise colour on a terminal only. Here rather than in
 * cli/color.ts so that Io knows it without loading chalk.
 */
export function colorLevel(wanted: boolean, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (!wanted) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return (n >= 1 && n <= 3 ? n : 1) as 1 | 2 | 3;
  }
  return isTTY ? 1 : 0;
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
