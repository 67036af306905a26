/**
 * Commands and options declared once, as data. main.ts builds commander from
 * these; the README command reference, `--help` and the shell completions are
 * generated from the same objects (scripts/gen-docs.ts, src/cli/completion).
 * A spec module imports nothing heavy: the runner is loaded lazily.
 *
 * Every value a user types enters here: an option declares its parser (`value`, from
 * cli/option-values.ts), which kind of source it applies to, and what it needs or
 * conflicts with; cli/options.ts checks and parses all of it before the runner runs, and
 * the runner receives the typed object `OptionsOf<typeof options>` derives from the
 * declaration (a power as bigint µW, an interval as bigint µs, a repeatable option as an
 * array, a flag as boolean).
 */
import type { CommandContext } from './context.js';

/** What a value completes to, for the shell completions. */
export type CompleteKind =
  | 'zone' | 'constraint' | 'file' | 'dir' | 'domain' | 'dtpm-node' | 'device' | 'shell' | 'none';

/**
 * How an option's (or argument's) text becomes its value. The program parses every value
 * (cli/options.ts) before the runner runs; a bad one is a usage error (exit 2) naming the
 * option and the value.
 */
export interface ValueParser<T> {
  /** what it takes, for the docs: "power (15W, 1500mW)" */
  readonly describe: string;
  /** a value it accepts, for examples and tests ("1W") */
  readonly example: string;
  /** free text (a name or a path, looked up by the command): no text is refused for its form */
  readonly free?: boolean;
  /** the fixed values it accepts, shown in help and completed by the shells */
  readonly choices?: readonly string[];
  /** what the shells complete it to, when the option does not say */
  readonly complete?: CompleteKind;
  /** the value, or a PowercapError (usage) saying why not; the caller adds the option's name */
  parse(text: string): T;
}

/** Which kind of source an option or command works with; absent: both. */
export type SourceKind = 'live' | 'snapshot';

export interface OptionSpec {
  /** commander flags, e.g. `-c, --constraint <name>` */
  readonly flags: string;
  readonly description: string;
  /** the text default, parsed like a typed value */
  readonly defaultValue?: string | boolean | readonly string[];
  /** shown in help instead of the raw default */
  readonly defaultDescription?: string;
  /** what the shells complete (default: what the parser says) */
  readonly complete?: CompleteKind;
  /** repeatable option collecting an array (each value parsed) */
  readonly repeatable?: boolean;
  readonly hidden?: boolean;
  /** how the value parses; absent on an option that takes a value: the text as given */
  readonly value?: ValueParser<unknown>;
  /** the command needs this option, unless one of `unless` is given: the message (default `--x is required`) and the hint say what to give */
  readonly required?: { readonly hint: string; readonly unless?: readonly string[]; readonly message?: string };
  /** options of the same command (long names, no dashes) this one cannot be given with */
  readonly conflicts?: { readonly options: readonly string[]; readonly message?: string; readonly hint?: string };
  /** options this one needs */
  readonly requires?: { readonly options: readonly string[]; readonly message?: string; readonly hint?: string };
  /**
   * giving this option sets other options of the command (long name → value, parsed by that
   * option's parser): `--textfile` means `--format prometheus`; the other given with another value is a usage error
   */
  readonly implies?: Readonly<Record<string, string>>;
  /** the option applies to this kind of source only: given with the other, it is a usage error */
  readonly source?: SourceKind;
  /** a global option's environment variable, read when the flag is not given */
  readonly env?: string;
}

export interface ArgSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly variadic?: boolean;
  readonly complete?: CompleteKind;
  /** how each value parses (choices come from the parser) */
  readonly value?: ValueParser<unknown>;
}

export interface Example {
  command: string;
  description: string;
}

export type CommandGroup = 'read' | 'write' | 'model' | 'setup';

export interface CommandRunner {
  /**
   * args: positional arguments in declared order (variadic last as an array), parsed; opts: the
   * command's own options, parsed (a runner declares them as `OptionsOf<typeof its options>`);
   * commands: the program's command table (for a runner that describes the program, such as
   * `completion`, without importing the table that lists it).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run(ctx: CommandContext, args: any, opts: any, commands: readonly CommandSpec[]): Promise<void> | void;
}

export interface CommandSpec {
  readonly name: string;
  readonly group: CommandGroup;
  readonly summary: string;
  /** longer help text, a paragraph or two */
  readonly description?: string;
  readonly args?: readonly ArgSpec[];
  readonly options?: readonly OptionSpec[];
  readonly examples: readonly Example[];
  readonly subcommands?: readonly CommandSpec[];
  readonly hidden?: boolean;
  /** the command works on this kind of source only (the other is a usage error before anything is read) */
  readonly source?: SourceKind;
  /** lazy loader of the runner; absent for a pure group of subcommands */
  readonly load?: () => Promise<CommandRunner>;
}

export const GROUP_TITLES: Record<CommandGroup, string> = {
  read: 'Read',
  write: 'Write',
  model: 'Model',
  setup: 'Setup',
};

// ---------------------------------------------------------------- typed options from the declarations

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
/** `-c, --time-window <duration>` → 'time-window' */
type LongName<F extends string> = F extends `${string}--${infer Rest}` ? (Rest extends `${infer N} ${string}` ? N : Rest) : never;
/** commander's key: `--time-window` → timeWindow, `--no-color` → color */
export type OptionKey<F extends string> = LongName<F> extends `no-${infer N}` ? Camel<N> : Camel<LongName<F>>;
type TakesValue<F extends string> = F extends `${string}<${string}>${string}` ? true : F extends `${string}[${string}]${string}` ? true : false;
type Parsed<O> = O extends { readonly value: ValueParser<infer T> } ? T : string;

/** The value a runner receives for one declared option. */
export type OptionValue<O extends OptionSpec> =
  TakesValue<O['flags']> extends true
    ? O extends { readonly repeatable: true } ? Parsed<O>[]
      : O extends { readonly required: { readonly unless: readonly string[] } } ? Parsed<O> | undefined
      : O extends { readonly required: object } | { readonly defaultValue: string | readonly string[] } ? Parsed<O>
      : Parsed<O> | undefined
    : boolean;

/** The typed options object of a command: `OptionsOf<typeof options>` for `options = [...] as const satisfies readonly OptionSpec[]`. */
export type OptionsOf<L extends readonly OptionSpec[]> = { -readonly [O in L[number] as OptionKey<O['flags']>]: OptionValue<O> };

type ArgValue<A extends ArgSpec> = A extends { readonly value: ValueParser<infer T> } ? T : string;
/** The positional arguments of a command, in order: `ArgsOf<typeof args>`. */
export type ArgsOf<L extends readonly ArgSpec[]> = { -readonly [K in keyof L]: L[K] extends ArgSpec
  ? L[K] extends { readonly variadic: true } ? ArgValue<L[K]>[]
    : L[K] extends { readonly required: true } ? ArgValue<L[K]> : ArgValue<L[K]> | undefined
  : never };

/** Global options: declared here once, registered on the program by main.ts. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '--root <dir>', description: 'live powercap tree (env POWERCAPCTL_ROOT)', defaultDescription: '/sys/class/powercap', complete: 'dir', env: 'POWERCAPCTL_ROOT',
    conflicts: { options: ['snapshot'], message: '--root and --snapshot are two different sources: give one' } },
  { flags: '--snapshot <file>', description: 'read (and for writing commands, update) a snapshot file instead (env POWERCAPCTL_SNAPSHOT)', complete: 'file', env: 'POWERCAPCTL_SNAPSHOT' },
  { flags: '--em-root <dir>', description: 'live energy model in debugfs (env POWERCAPCTL_EM_ROOT)', defaultDescription: '/sys/kernel/debug/energy_model', complete: 'dir', env: 'POWERCAPCTL_EM_ROOT', source: 'live' },
  { flags: '--hwmon-root <dir>', description: 'GPU power caps and readings in hwmon, shown as zones of type hwmon (env POWERCAPCTL_HWMON_ROOT); read by default only with the default --root',
    defaultDescription: '/sys/class/hwmon', complete: 'dir', env: 'POWERCAPCTL_HWMON_ROOT', source: 'live' },
  { flags: '--power-supply-root <dir>', description: 'power supply class: AC or battery, for profile items with when: (env POWERCAPCTL_POWER_SUPPLY_ROOT)', defaultDescription: '/sys/class/power_supply', complete: 'dir', env: 'POWERCAPCTL_POWER_SUPPLY_ROOT', source: 'live' },
  { flags: '--json', description: 'machine output: nothing but JSON on stdout' },
  { flags: '--no-color', description: 'no colour (NO_COLOR and FORCE_COLOR are honoured; colour only on a TTY)' },
  { flags: '-q, --quiet', description: 'no hints or warnings on stderr' },
  { flags: '-v, --verbose', description: 'more detail, and stack traces on errors' },
];
