/**
 * Commands and options declared once, as data. main.ts builds commander from
 * these; the README command reference, `--help` and the shell completions are
 * generated from the same objects (scripts/gen-docs.ts, src/cli/completion).
 * A spec module imports nothing heavy: the runner is loaded lazily.
 */
import type { CommandContext } from './context.js';

/** What a value completes to, for the shell completions. */
export type CompleteKind =
  | 'zone' | 'constraint' | 'file' | 'dir' | 'domain' | 'dtpm-node' | 'device' | 'shell' | 'none';

/**
 * What an option's value is: the program parses it (cli/options.ts) before the runner runs, so the
 * runner receives the typed value and a bad one is a usage error (exit 2) naming the option.
 * power → bigint µW, duration → bigint µs, count → a whole number ≥ 1, temperature → number m°C.
 */
/** interval: a duration, or bare seconds (`-i 1`) */
export type ValueKind = 'power' | 'duration' | 'interval' | 'count' | 'temperature';

export interface OptionSpec {
  /** commander flags, e.g. `-c, --constraint <name>` */
  flags: string;
  description: string;
  defaultValue?: string | boolean | string[];
  /** shown in help instead of the raw default */
  defaultDescription?: string;
  choices?: readonly string[];
  complete?: CompleteKind;
  /** repeatable option collecting an array */
  repeatable?: boolean;
  hidden?: boolean;
  /** how the value parses (each value, for a repeatable option) */
  value?: ValueKind;
  /** the command needs this option: the hint says what to give */
  required?: { hint: string };
  /** options of the same command (long names, no dashes) this one cannot be given with */
  conflicts?: { options: readonly string[]; message?: string; hint?: string };
  /** options this one needs */
  requires?: { options: readonly string[]; message?: string; hint?: string };
}

export interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
  complete?: CompleteKind;
  choices?: readonly string[];
}

export interface Example {
  command: string;
  description: string;
}

export type CommandGroup = 'read' | 'write' | 'model' | 'setup';

export interface CommandRunner {
  /**
   * args: positional arguments in declared order (variadic last as string[]); opts: the command's own
   * options; commands: the program's command table (for a runner that describes the program, such as
   * `completion`, without importing the table that lists it).
   */
  run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>, commands: readonly CommandSpec[]): Promise<void> | void;
}

export interface CommandSpec {
  name: string;
  group: CommandGroup;
  summary: string;
  /** longer help text, a paragraph or two */
  description?: string;
  args?: ArgSpec[];
  options?: OptionSpec[];
  examples: Example[];
  subcommands?: CommandSpec[];
  hidden?: boolean;
  /** lazy loader of the runner; absent for a pure group of subcommands */
  load?: () => Promise<CommandRunner>;
}

export const GROUP_TITLES: Record<CommandGroup, string> = {
  read: 'Read',
  write: 'Write',
  model: 'Model',
  setup: 'Setup',
};

/** Global options: declared here once, registered on the program by main.ts. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: '--root <dir>', description: 'live powercap tree (env POWERCAPCTL_ROOT)', defaultDescription: '/sys/class/powercap', complete: 'dir' },
  { flags: '--snapshot <file>', description: 'read (and for writing commands, update) a snapshot file instead (env POWERCAPCTL_SNAPSHOT)', complete: 'file' },
  { flags: '--em-root <dir>', description: 'live energy model in debugfs (env POWERCAPCTL_EM_ROOT)', defaultDescription: '/sys/kernel/debug/energy_model', complete: 'dir' },
  { flags: '--json', description: 'machine output: nothing but JSON on stdout' },
  { flags: '--no-color', description: 'no colour (NO_COLOR and FORCE_COLOR are honoured; colour only on a TTY)' },
  { flags: '-q, --quiet', description: 'no hints or warnings on stderr' },
  { flags: '-v, --verbose', description: 'more detail, and stack traces on errors' },
];
