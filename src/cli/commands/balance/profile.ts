/**
 * A profile's `balance:` or `govern:` section (core/profile/section.ts reads its shape) as the
 * command's options: each key is an option of `powercapctl balance` or `govern` by its long name
 * (`budget-file`, `thermal-zone`), parsed by that option's own parser, so a profile takes exactly
 * what the command line takes (`2.5W`, `200ms`, `45C`); `zones` are the ZONE arguments, `weights`
 * and `mins` the repeated ZONE=VALUE options as a mapping. The options of one run (RUN_ONLY:
 * --dry-run, --duration, --keep) are the command line's. What the options declare (required,
 * conflicts, requires) is weighed as the command line weighs it (options.ts badCombination). A
 * mistake is `FILE:LINE: balance.KEY: what`, exit 6 for the shape and 2 for a value, as the
 * items' are (core/profile/parse.ts).
 *
 * `apply` and `persist install` check the section with this before anything is written; the
 * service persist install writes runs `balance --profile FILE` (or govern), which takes it from here.
 */
import { Exit, PowercapError, usageError } from '../../../core/errors.js';
import { loadProfile, type Profile } from '../../../core/profile/parse.js';
import type { LoopCommand, LoopSection, SectionEntry } from '../../../core/profile/section.js';
import { fileLineError } from '../../../core/yaml-doc.js';
import { applyOptionSpecs, badCombination, optionNames, takesValue } from '../../options.js';
import type { OptionSpec } from '../../spec.js';
import type { CommandContext } from '../../context.js';
import { balanceOptions, RUN_ONLY, zoneArgs, type LoopOptions } from './options.js';
import { governOptions, switchOnBelowTarget } from '../govern/options.js';

const COMMAND_OPTIONS: Record<LoopCommand, readonly OptionSpec[]> = { balance: balanceOptions, govern: governOptions };

/** The repeated ZONE=VALUE options, written in a profile as a mapping under a plural key. */
const MAPPED: Readonly<Record<string, string>> = { weight: 'weights', min: 'mins' };

/** The ZONE arguments' key. */
const ZONES_KEY = 'zones';

/** A section's keys and the option each stands for (null: the ZONE arguments), in the command's order. */
export function sectionKeys(command: LoopCommand): Map<string, OptionSpec | null> {
  const keys = new Map<string, OptionSpec | null>([[ZONES_KEY, null]]);
  for (const o of COMMAND_OPTIONS[command]) {
    const { long } = optionNames(o.flags);
    if (!RUN_ONLY.includes(long) && takesValue(o.flags)) keys.set(MAPPED[long] ?? long, o);
  }
  return keys;
}

/** The section as the command's options: the zones, and the options it gives (commander's keys, parsed values). */
export interface SectionOptions {
  command: LoopCommand;
  file: string;
  line: number;
  zones: string[];
  /** parsed values by commander's key (budgetFile, thermalZone), only those the section gives */
  opts: Record<string, unknown>;
}

/** Parse and check a section; throws `FILE:LINE: balance.KEY: …` (6: its shape, 2: a value). */
export function parseSection(file: string, s: LoopSection): SectionOptions {
  const keys = sectionKeys(s.command);
  const at = (line: number, key: string | null, msg: string, code: PowercapError['exitCode'], hint?: string) =>
    fileLineError(code, file, line, key === null ? s.command : `${s.command}.${key}`, msg, hint);
  const lines = new Map<string, number>();
  const opts: Record<string, unknown> = {};
  let zones: string[] = [];

  /** one text through its parser; a refusal re-said at its line and key (exit 2) */
  const parse = (p: OptionSpec['value'], text: string, line: number, key: string): unknown => {
    if (!p) return text;
    try {
      return p.parse(text);
    } catch (err) {
      if (!(err instanceof PowercapError)) throw err;
      throw at(line, key, err.message, Exit.USAGE, err.hint);
    }
  };
  const texts = (e: SectionEntry, what: string): Array<{ text: string; line: number }> => {
    if (e.value.kind === 'scalar') return [{ text: e.value.text, line: e.line }];
    if (e.value.kind === 'list') return e.value.items;
    throw at(e.line, e.key, `expected ${what}, not a mapping`, Exit.INVALID_DATA);
  };

  for (const e of s.entries) {
    if (!keys.has(e.key)) {
      throw at(e.line, e.key, `unknown key (a ${s.command} section has ${[...keys.keys()].join(', ')})`, Exit.INVALID_DATA,
        `the options of powercapctl ${s.command} by their long names; ${RUN_ONLY.filter((o) => o !== 'profile').map((o) => `--${o}`).join(', ')} are given on the command line`);
    }
    const spec = keys.get(e.key)!;
    if (spec === null) {
      zones = texts(e, 'a zone or a list of zones').map((t) => parse(zoneArgs[0].value, t.text, t.line, e.key) as string);
      lines.set(ZONES_KEY, e.line);
      continue;
    }
    const { long, key } = optionNames(spec.flags);
    lines.set(long, e.line);
    if (MAPPED[long] !== undefined) {
      if (e.value.kind !== 'map') throw at(e.line, e.key, 'expected each zone with its value (`dtpm:0:0:1: 2`)', Exit.INVALID_DATA);
      opts[key] = e.value.entries.map((m) => parse(spec.value, `${m.name}=${m.text}`, m.line, e.key));
    } else if (spec.repeatable) {
      opts[key] = texts(e, 'a value or a list').map((t) => parse(spec.value, t.text, t.line, e.key));
    } else {
      if (e.value.kind !== 'scalar') throw at(e.line, e.key, 'expected one value', Exit.INVALID_DATA);
      opts[key] = parse(spec.value, e.value.text, e.line, e.key);
    }
  }

  const given = (long: string) => lines.has(long);
  const nameOf = (long: string) => MAPPED[long] ?? long;
  const specs = [...keys.values()].filter((o): o is OptionSpec => o !== null);
  for (const o of specs) {
    const { long } = optionNames(o.flags);
    if (o.required && !given(long) && !o.required.unless?.some(given)) {
      const or = o.required.unless?.filter((u) => keys.has(nameOf(u))).map(nameOf) ?? [];
      throw at(s.line, null, `missing ${[long, ...or].join(' or ')}: ${o.description}`, Exit.INVALID_DATA);
    }
  }
  for (const o of specs) {
    const { long } = optionNames(o.flags);
    if (!given(long)) continue;
    const bad = badCombination(o, given);
    if (bad?.kind === 'conflicts') {
      throw at(lines.get(long)!, nameOf(long), `not with ${bad.others.map((x) => `${nameOf(x)} (line ${lines.get(x)})`).join(', ')}: give one`, Exit.USAGE);
    }
    if (bad?.kind === 'requires') throw at(lines.get(long)!, nameOf(long), `needs ${bad.others.map(nameOf).join(' and ')}`, Exit.USAGE);
  }
  if (zones.length === 0 && !given('under')) {
    throw at(s.line, null, `no zones: give ${ZONES_KEY} (DTPM leaves, RAPL packages) or under (a DTPM node whose leaves to manage)`, Exit.INVALID_DATA);
  }
  if (s.command === 'govern' && !switchOnBelowTarget(opts.switchOn as number | undefined, opts.target as number)) {
    throw at(lines.get('switch-on')!, 'switch-on', `not below the target (line ${lines.get('target')}): the controller works between the two`, Exit.USAGE);
  }
  return { command: s.command, file, line: s.line, zones, opts };
}

/** A profile, its balance or govern section checked too: what apply and persist install read. */
export async function readProfile(file: string): Promise<{ profile: Profile; loop: SectionOptions | null }> {
  const profile = await loadProfile(file);
  return { profile, loop: profile.loop ? parseSection(profile.file, profile.loop) : null };
}

/**
 * The zones and options of a run: the command line's, or with --profile FILE those of the
 * profile's section for this command over the command line's defaults (the options a section
 * holds conflict with --profile: spec.ts profileOption).
 */
export async function runOptions<O extends { profile: string | undefined }>(command: LoopCommand, refs: string[], opts: O): Promise<{ refs: string[]; opts: O; loop: SectionOptions | null }> {
  if (opts.profile === undefined) return { refs, opts, loop: null };
  const file = opts.profile;
  if (refs.length) throw usageError(`ZONE… with --profile: the zones come from the profile's ${command}: section`, `give them there (${ZONES_KEY}: or under:)`);
  const { loop } = await readProfile(file);
  if (!loop || loop.command !== command) {
    throw usageError(`${file} has no ${command}: section${loop ? ` (its section is ${loop.command}:, line ${loop.line})` : ''}`,
      loop ? `run powercapctl ${loop.command} --profile ${file}` : `add one (docs/profiles.md), or give the zones and options here`);
  }
  return { refs: loop.zones, opts: { ...opts, ...loop.opts }, loop };
}

/** A refusal of what a section gives (a zone that is not there, a minimum above a maximum), said at the section. */
export function atSection(loop: SectionOptions | null, err: unknown): unknown {
  if (loop === null || !(err instanceof PowercapError)) return err;
  return new PowercapError(err.exitCode, `${loop.file}:${loop.line}: ${loop.command}: ${err.message}`, err.hint, err.reason ? { reason: err.reason } : undefined);
}

/**
 * The section's zones against this machine's tree, as its service will find them when it starts
 * (persist install on the running system): zones there, DTPM leaves, readings and limits. Nothing
 * is read but the tree, nothing written; whether this user may write is the service's (root).
 */
export async function checkSectionZones(ctx: CommandContext, loop: SectionOptions): Promise<void> {
  const { planLoop } = await import('./session.js');
  const specs = COMMAND_OPTIONS[loop.command];
  // the command line's defaults under the section's values, as `balance --profile FILE` runs
  const defaults: Record<string, unknown> = {};
  for (const o of specs) if (o.defaultValue !== undefined) defaults[optionNames(o.flags).key] = o.defaultValue;
  const base = applyOptionSpecs(specs, { ...defaults, profile: loop.file }, { isDefault: (k) => k in defaults });
  try {
    planLoop(ctx, loop.zones, { ...base, ...loop.opts, dryRun: true, report: undefined } as unknown as LoopOptions);
  } catch (err) {
    throw atSection(loop, err);
  }
}
