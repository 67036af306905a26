/**
 * The completion table: the command specs (src/cli/commands/index.ts) and the
 * global options (src/cli/spec.ts) flattened into one entry per command path,
 * which the bash, zsh and fish generators turn into their shell's syntax. The
 * scripts carry this static structure; only dynamic values (zone ids, constraint
 * names, DTPM nodes, devices, EM domains) call back into `powercapctl __complete`.
 */
import type { ArgSpec, CommandSpec, CompleteKind, OptionSpec } from '../spec.js';

/**
 * What a value completes to:
 * - `{ type: 'none' }`  free text, no candidates (a power, a duration)
 * - `{ type: 'choice', values }`  a fixed list
 * - `{ type: 'file' | 'dir' }`  the shell's own path completion
 * - `{ type: 'dynamic', kind }`  `powercapctl __complete <kind> …`
 */
export type ValueCompletion =
  | { type: 'none' }
  | { type: 'choice'; values: readonly string[] }
  | { type: 'file' }
  | { type: 'dir' }
  | { type: 'dynamic'; kind: DynamicKind };

/** kinds answered by the hidden fast path */
export const DYNAMIC_KINDS = ['zone', 'constraint', 'dtpm-node', 'device', 'domain'] as const;
export type DynamicKind = (typeof DYNAMIC_KINDS)[number];

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface OptionEntry {
  /** every spelling: ['-c', '--constraint'] */
  names: string[];
  description: string;
  /** null for a flag that takes no value */
  value: ValueCompletion | null;
}

export interface PositionalEntry {
  name: string;
  value: ValueCompletion;
  variadic: boolean;
}

export interface PathEntry {
  /** command words from the top: [] for `powercapctl` itself, ['snapshot', 'save'] */
  path: string[];
  summary: string;
  subcommands: { name: string; summary: string }[];
  /** the command's own options and -h/--help (the global ones are in CompletionTable.globals) */
  options: OptionEntry[];
  positionals: PositionalEntry[];
}

export function valueFor(kind: CompleteKind | undefined, choices: readonly string[] | undefined): ValueCompletion {
  if (choices && choices.length) return { type: 'choice', values: choices };
  switch (kind) {
    case undefined:
    case 'none':
      return { type: 'none' };
    case 'file':
      return { type: 'file' };
    case 'dir':
      return { type: 'dir' };
    case 'shell':
      return { type: 'choice', values: SHELLS };
    default:
      return { type: 'dynamic', kind };
  }
}

/** `-c, --constraint <name>` → names and whether a value follows. */
export function parseFlags(flags: string): { names: string[]; takesValue: boolean } {
  const names = flags.split(/[ ,|]+/).filter((p) => p.startsWith('-'));
  return { names, takesValue: /[<[]/.test(flags) };
}

export function optionEntry(o: OptionSpec): OptionEntry {
  const { names, takesValue } = parseFlags(o.flags);
  return { names, description: o.description, value: takesValue ? valueFor(o.complete ?? o.value?.complete, o.value?.choices) : null };
}

const positional = (a: ArgSpec): PositionalEntry => ({
  name: a.name,
  value: valueFor(a.complete ?? a.value?.complete, a.value?.choices),
  variadic: a.variadic === true,
});

const HELP_OPTION: OptionEntry = { names: ['-h', '--help'], description: 'show help', value: null };
const VERSION_OPTION: OptionEntry = { names: ['--version'], description: 'print the version', value: null };

export interface CompletionTable {
  /** options every command path accepts (commander reads global options after a subcommand too) */
  globals: OptionEntry[];
  /** every command path, depth first, hidden commands left out */
  paths: PathEntry[];
}

export function completionTable(commands: readonly CommandSpec[], globals: readonly OptionSpec[]): CompletionTable {
  const visible = (list: readonly CommandSpec[] | undefined) => (list ?? []).filter((c) => !c.hidden);
  const paths: PathEntry[] = [];
  const top = visible(commands);
  paths.push({
    path: [],
    summary: 'powercapctl',
    subcommands: [...top.map((c) => ({ name: c.name, summary: c.summary })), { name: 'help', summary: 'show help for a command' }],
    options: [HELP_OPTION, VERSION_OPTION],
    positionals: [],
  });
  const visit = (spec: CommandSpec, parent: string[]) => {
    const path = [...parent, spec.name];
    const subs = visible(spec.subcommands);
    paths.push({
      path,
      summary: spec.summary,
      subcommands: subs.map((c) => ({ name: c.name, summary: c.summary })),
      options: [...(spec.options ?? []).filter((o) => !o.hidden).map(optionEntry), HELP_OPTION],
      positionals: (spec.args ?? []).map(positional),
    });
    for (const s of subs) visit(s, path);
  };
  for (const c of top) visit(c, []);
  // `powercapctl help <command>`
  paths.push({
    path: ['help'],
    summary: 'show help for a command',
    subcommands: [],
    options: [HELP_OPTION],
    positionals: [{ name: 'command', value: { type: 'choice', values: top.map((c) => c.name) }, variadic: false }],
  });
  return { globals: globals.filter((o) => !o.hidden).map(optionEntry), paths };
}

/** The words a value completion hands to `__complete`, or null when it is not dynamic. */
export const dynamicKind = (v: ValueCompletion | null): DynamicKind | null => (v?.type === 'dynamic' ? v.kind : null);

/** A compact descriptor the shell scripts switch on: `none`, `file`, `dir`, `choice`, or a dynamic kind. */
export function descriptor(v: ValueCompletion): string {
  return v.type === 'dynamic' ? v.kind : v.type;
}

/** Global options that choose the source: passed on to `__complete` from the line being completed. */
export const SOURCE_OPTIONS = ['--root', '--snapshot', '--em-root', '--hwmon-root'] as const;
