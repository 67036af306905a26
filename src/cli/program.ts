/**
 * The commander program, built from the command specs (src/cli/commands/index.ts):
 * each command's runner is loaded lazily when it runs. main.ts loads this module.
 */
import { Argument, Command, Option, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { GLOBAL_OPTIONS, GROUP_TITLES, type ArgSpec, type CommandSpec, type OptionSpec, type SourceKind } from './spec.js';
import { PowercapError, usageError } from '../core/errors.js';
import { CommandContext, resolveGlobals } from './context.js';
import { reportError } from './report-error.js';
import { sourceArgs } from './hints.js';
import { writeStderr } from './io.js';
import { terminalSafe } from './visible.js';
import { applyArgSpecs, applyOptionSpecs, choicesOf } from './options.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function addOption(cmd: Command, o: OptionSpec): void {
  // commander shows "(default: …)" only for a real default value: a described one is written out here
  const described = o.defaultValue === undefined && o.defaultDescription ? ` (default: ${o.defaultDescription})` : '';
  const opt = new Option(o.flags, o.description + described);
  const choices = choicesOf(o);
  if (choices) opt.choices(choices as string[]);
  if (o.repeatable) opt.argParser(collect);
  if (o.defaultValue !== undefined) opt.default(o.defaultValue, o.defaultDescription);
  if (o.hidden) opt.hideHelp();
  cmd.addOption(opt);
}

/** The examples of a help page: `$ command  description` side by side when the terminal has room, else on two lines. */
export function examplesHelp(spec: Pick<CommandSpec, 'examples'>, termWidth = helpWidth()): string {
  if (!spec.examples.length) return '';
  const width = Math.min(56, Math.max(...spec.examples.map((e) => e.command.length)));
  return '\nExamples:\n' + spec.examples.map((e) => {
    const side = `  $ ${e.command.padEnd(width)}  ${e.description}`;
    return e.command.length > width || side.length > termWidth
      ? `  $ ${e.command}\n      ${wrapText(e.description, termWidth - 6, 6)}`
      : side;
  }).join('\n') + '\n';
}

function argSyntax(a: ArgSpec): string {
  const inner = a.variadic ? `${a.name}...` : a.name;
  return a.required ? `<${inner}>` : `[${inner}]`;
}

/** Spec descriptions break lines for the source's sake: help rewraps paragraphs to the terminal. */
export const reflow = (text: string) => text.split(/\n{2,}/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim()).join('\n\n');

function addCommand(parent: Command, spec: CommandSpec, path: string[]): void {
  const cmd = new Command(spec.name);
  // exitOverride, output routing and suggestions apply to every level
  cmd.copyInheritedSettings(parent);
  cmd.summary(spec.summary).description(reflow(spec.description ?? spec.summary));
  // top-level commands are listed by group (read, write, model, setup); a command's subcommands under "Commands:"
  if (path.length === 0) cmd.helpGroup(`${GROUP_TITLES[spec.group]} commands:`);
  for (const a of spec.args ?? []) {
    const arg = new Argument(argSyntax(a), a.description);
    const choices = choicesOf(a);
    if (choices) arg.choices(choices as string[]);
    cmd.addArgument(arg);
  }
  for (const o of spec.options ?? []) addOption(cmd, o);
  if (spec.examples.length) cmd.addHelpText('after', (ctx) => examplesHelp(spec, helpWidth(ctx.error)));
  for (const sub of spec.subcommands ?? []) addCommand(cmd, sub, [...path, spec.name]);
  if (spec.load) {
    const load = spec.load;
    // a group that also runs on its own (`registry` lists): an unknown word is a mistyped
    // subcommand, answered with the closest one, not "too many arguments". Set after the
    // subcommands were added, so they do not inherit it.
    const groupWithDefault = (spec.subcommands?.length ?? 0) > 0 && !spec.args?.length;
    if (groupWithDefault) cmd.allowExcessArguments(true);
    cmd.action(async (...actionArgs: unknown[]) => {
      const command = actionArgs.pop() as Command;
      if (groupWithDefault && command.args.length > 0) (command as unknown as { unknownCommand(): never }).unknownCommand();
      const opts = actionArgs.pop() as Record<string, unknown>;
      const globals = resolveGlobals(command.optsWithGlobals());
      const ctx = new CommandContext(globals, [...path, spec.name].join(' '));
      currentVerbose = ctx.globals.verbose;
      currentCommand = ctx.commandName;
      currentSource = sourceArgs(globals);
      const source = sourceKindOf(globals);
      if (spec.source && spec.source !== source) throw sourceRefusal([...path, spec.name].join(' '), spec.source);
      applyOptionSpecs(GLOBAL_OPTIONS, program(command).opts(), { source, isDefault: (key) => program(command).getOptionValueSource(key) !== 'cli' });
      const typed = applyOptionSpecs(spec.options ?? [], opts, {
        isDefault: (key) => command.getOptionValueSourceWithGlobals(key) === 'default',
        globals: command.optsWithGlobals(),
        source,
      });
      const args = applyArgSpecs(spec.args ?? [], actionArgs);
      const runner = await load();
      await runner.run(ctx, args, typed, COMMANDS);
    });
  }
  parent.addCommand(cmd, spec.hidden ? { hidden: true } : {});
}

let currentVerbose = false;
/** the command path being run, for the wording of an error's way out (hints.ts) */
let currentCommand = '';
/** the user's source options, kept in a command an error's hint names (hints.ts commandLine) */
let currentSource: string[] = [];

/** The top of a command's chain: where the global options live. */
const program = (c: Command): Command => {
  let p = c;
  while (p.parent) p = p.parent;
  return p;
};

/** The kind of source the globals choose: a snapshot when one is named, else a live tree. */
const sourceKindOf = (g: { snapshot: string | undefined }): SourceKind => (g.snapshot !== undefined ? 'snapshot' : 'live');

/** A command run on the kind of source it does not work with. */
function sourceRefusal(command: string, needs: SourceKind): PowercapError {
  return needs === 'live'
    ? usageError(`${command} works on a live tree, not on a snapshot`, 'drop --snapshot (and POWERCAPCTL_SNAPSHOT), or give --root DIR')
    : usageError(`${command} works on a snapshot: give --snapshot FILE`);
}

/** commander's messages in our voice; a negative value (`-5W`) reads as an option to it. */
export function rewordParseError(str: string): string {
  const negative = /^error: unknown option '(-[0-9.][^']*)'/.exec(str);
  if (negative) {
    return `powercapctl: invalid value '${negative[1]}': negative values are not allowed\n  a power or duration is 0 or more, e.g. 5W or 28s\n`;
  }
  return str.replace(/^error: /, 'powercapctl: ');
}

/**
 * Which top-level commands a command line needs built in full: the one it runs (its first
 * word after the global options); every one for `help WORDS`, which walks them; none for the
 * top-level help, --version or a typo, which see names, summaries and usage lines only.
 */
function commandsToBuild(argv: readonly string[]): (name: string) => boolean {
  const valued = new Set(GLOBAL_OPTIONS.filter((o) => /<[^>]+>/.test(o.flags)).flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('-'))));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (valued.has(a)) i++;
      continue;
    }
    return a === 'help' ? () => true : (name) => name === a;
  }
  return () => false;
}

/**
 * A command that is not run, as the top-level help and the typo suggestions see it:
 * its name, summary, group and usage, without its options' and subcommands' objects.
 */
function addCommandOutline(parent: Command, spec: CommandSpec): void {
  const cmd = new Command(spec.name);
  cmd.copyInheritedSettings(parent);
  cmd.summary(spec.summary).description(reflow(spec.description ?? spec.summary));
  cmd.helpGroup(`${GROUP_TITLES[spec.group]} commands:`);
  for (const a of spec.args ?? []) cmd.addArgument(new Argument(argSyntax(a), a.description));
  // "[options]" in its usage line, as the full command shows it
  const first = spec.options?.[0];
  if (first) addOption(cmd, first);
  parent.addCommand(cmd, spec.hidden ? { hidden: true } : {});
}

export function buildProgram(argv: readonly string[] = []): Command {
  const full = commandsToBuild(argv);
  const program = new Command('powercapctl');
  program
    .description('Inspect and control Linux power capping: RAPL and DTPM zones, limits, energy models.\nWorks on the live tree (/sys/class/powercap) or on a saved snapshot file.')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    // wrap to the terminal even where the command column is wide (commander's default stops below 40 columns left)
    .configureHelp({ showGlobalOptions: true, minWidthToWrap: 20 })
    .exitOverride()
    // a parse error quotes the argument as typed (a script may pass a name from a file): escapes shown
    .configureOutput({ outputError: (str, write) => write(terminalSafe(rewordParseError(str))) });
  for (const o of GLOBAL_OPTIONS) addOption(program, o);
  // `help model em` walks the words itself (commander's help command takes one word)
  program.helpCommand(false);
  program.addCommand(new Command('help').argument('[command...]', 'command words, e.g. model em').summary('show help for a command').description('show help for a command: help set-limit, help model em')
    .action((words: string[]) => helpFor(program, words)));
  // the command being run in full; the others in outline (a start-up cost of every run otherwise),
  // and not at all when one command runs: only the top-level help and a mistyped command's
  // suggestion see them, and neither happens then
  const runsOne = COMMANDS.filter((spec) => full(spec.name)).length === 1;
  for (const spec of COMMANDS) {
    if (full(spec.name)) addCommand(program, spec, []);
    else if (!runsOne) addCommandOutline(program, spec);
  }
  program.addHelpText('after', (ctx) => '\n' + topLevelAfter(helpWidth(ctx.error)));
  return program;
}

/** The examples of the top-level help, run as a test like every other help page's (test/help-examples.test.ts). */
export const TOP_EXAMPLES: CommandSpec['examples'] = [
  { command: 'powercapctl list', description: 'zones of this machine, with limits' },
  { command: 'powercapctl --snapshot examples/rk3399-dtpm.json tree', description: 'a DTPM board from a snapshot' },
  { command: 'sudo powercapctl set-limit package-0 25W', description: 'cap the package (long_term) at 25 W: both copies, MSR and MMIO' },
  { command: 'powercapctl list --json > zones.json', description: 'every zone as JSON (schema/list.schema.json)' },
];

/** The exit statuses, for the top-level help and the man pages' EXIT STATUS. */
export const EXIT_CODES = 'Exit codes: 0 done, 1 failed, 2 usage, 3 not found, 4 permission denied, 5 refused by the kernel, ' +
  '6 invalid data, 7 not in the profile\'s state (apply --check), 128+N interrupted by signal N (130 Ctrl-C, 143 SIGTERM).';

/** The terminal's width for help (80 when not a terminal), as commander uses it. */
export const helpWidth = (error = false): number => {
  const s = error ? process.stderr : process.stdout;
  return s.isTTY && s.columns ? s.columns : 80;
};

/** Words wrapped to `width`, continuation lines indented by `indent`. */
export function wrapText(text: string, width: number, indent = 0): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function topLevelAfter(width: number): string {
  return examplesHelp({ examples: TOP_EXAMPLES } as CommandSpec, width).replace(/^\n/, '') + '\n' + wrapText(EXIT_CODES, width);
}

/** `help model em`: the help of that command; an unknown word is a usage error (exit 2). */
function helpFor(program: Command, words: string[]): void {
  let cmd = program;
  for (const w of words) {
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!next) {
      const known = cmd.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden).map((c) => c.name()).filter((n) => n !== 'help');
      const close = known.find((n) => n.startsWith(w.slice(0, 2)));
      const where = cmd === program ? '' : ` ${cmd.name()}`;
      writeStderr(`powercapctl: no command '${[...words.slice(0, words.indexOf(w)), w].join(' ')}'\n` +
        `  commands${where}: ${known.join(', ')}${close ? ` (did you mean ${close}?)` : ''}`);
      process.exitCode = 2;
      return;
    }
    cmd = next;
  }
  cmd.outputHelp();
}

export async function runProgram(argv: string[]): Promise<void> {
  currentVerbose = argv.includes('-v') || argv.includes('--verbose');
  const program = buildProgram(argv);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // asked-for help and the version are not errors; help shown because no command was given
      // (commander.help: `powercapctl`, `powercapctl model`) is a usage error, on stderr, as every parse error (exit 2)
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
      return;
    }
    process.exitCode = reportError(err, currentVerbose, currentCommand, currentSource);
  }
}
