/**
 * Options as their specs declare them (spec.ts OptionSpec: value, required, conflicts,
 * requires, source), checked and parsed in one place after commander has read the command
 * line and before the runner runs: the runner receives typed, validated options, and every
 * command words these refusals alike (a usage error, exit 2, naming the option and the
 * value). As npm-check-updates' cli-options does.
 */
import { PowercapError, usageError } from '../core/errors.js';
import type { ArgSpec, OptionSpec, SourceKind, ValueParser } from './spec.js';

/** `-c, --time-window <duration>` → 'time-window' (long name) and 'timeWindow' (commander's key). */
export function optionNames(flags: string): { long: string; key: string } {
  const long = /--([a-z0-9-]+)/i.exec(flags)?.[1] ?? flags;
  const bare = long.replace(/^no-/, '');
  return { long, key: bare.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) };
}

/** Whether the flags take a value (`<x>` or `[x]`). */
export const takesValue = (flags: string): boolean => /[<[]/.test(flags);

const listOf = (names: readonly string[]) =>
  names.length === 1 ? `--${names[0]}` : `${names.slice(0, -1).map((n) => `--${n}`).join(', ')} or --${names[names.length - 1]}`;

const SOURCE_WORDS: Record<SourceKind, string> = { live: 'a live tree (--root)', snapshot: 'a snapshot (--snapshot)' };

/** The choices a value takes, from its parser. */
export const choicesOf = (o: { value?: ValueParser<unknown> }): readonly string[] | undefined => o.value?.choices;

/**
 * One value through its parser; a refusal names what it was given for (`--interval 0s: …`,
 * `argument POWER 'x': …`) and keeps the parser's hint.
 */
export function parseValue<T>(p: ValueParser<T> | undefined, text: unknown, label: string): T {
  if (p === undefined) return text as T;
  try {
    return p.parse(String(text));
  } catch (err) {
    if (!(err instanceof PowercapError)) throw err;
    throw usageError(`${label} ${String(text)}: ${err.message}`, err.hint);
  }
}

export interface OptionContext {
  /** true for a value commander filled from its default, not from the command line */
  isDefault?(key: string): boolean;
  /** the global options, so that a command's option can conflict with a global one (`list --format csv --json`) */
  globals?: Record<string, unknown>;
  /** the source the command runs on, for options that apply to one kind only */
  source?: SourceKind;
}

/** A copy of `opts` with every declared value parsed; throws the first refusal. */
export function applyOptionSpecs(specs: readonly OptionSpec[], opts: Record<string, unknown>, from: OptionContext = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...opts };
  const keyOf = new Map(specs.map((s) => { const n = optionNames(s.flags); return [n.long, n.key] as const; }));
  const given = (long: string) => {
    const key = keyOf.get(long) ?? optionNames(`--${long}`).key;
    const v = key in opts ? opts[key] : from.globals?.[key];
    return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  };
  /** typed by the user (or the environment), not a default: what a conflict is about */
  const typed = (long: string) => given(long) && !from.isDefault?.(keyOf.get(long) ?? optionNames(`--${long}`).key);
  for (const s of specs) {
    const { long, key } = optionNames(s.flags);
    const v = opts[key];
    const present = given(long);
    if (!present && s.required && !s.required.unless?.some(given)) throw usageError(s.required.message ?? `--${long} is required`, s.required.hint);
    if (s.repeatable && v === undefined) out[key] = [];
    // a flag not given is false, as its type says (OptionValue), not absent: `dryRun: false` in a JSON document
    if (!takesValue(s.flags) && v === undefined) out[key] = false;
    if (!present) continue;
    if (s.source && from.source && s.source !== from.source && typed(long)) {
      throw usageError(`--${long} applies to ${SOURCE_WORDS[s.source]}, not to ${SOURCE_WORDS[from.source]}`);
    }
    if (takesValue(s.flags)) {
      const one = (text: unknown) => {
        if (s.value === undefined && String(text).trim() === '') throw usageError(`--${long}: an empty value`);
        return parseValue(s.value, text, `--${long}`);
      };
      out[key] = Array.isArray(v) ? v.map(one) : one(v);
    }
  }
  // every value is parsed before any combination is weighed: `--zone Z --capacity zzz` names the bad value
  for (const s of specs) {
    const { long } = optionNames(s.flags);
    if (!given(long)) continue;
    const bad = badCombination(s, given, typed);
    if (bad?.kind === 'conflicts') throw usageError(s.conflicts!.message ?? `--${long}: not with ${listOf(bad.others)}`, s.conflicts!.hint);
    if (bad?.kind === 'requires') throw usageError(s.requires!.message ?? `--${long} needs ${listOf(bad.others)}`, s.requires!.hint);
    for (const [other, text] of Object.entries(s.implies ?? {})) {
      const key = keyOf.get(other) ?? optionNames(`--${other}`).key;
      const implied = parseValue(specs.find((o) => optionNames(o.flags).long === other)?.value, text, `--${other}`);
      if (typed(other) && out[key] !== implied) throw usageError(`--${long} means --${other} ${text}: not with --${other} ${String(opts[key])}`);
      out[key] = implied;
    }
  }
  return out;
}

/**
 * What is wrong with an option given alongside the others (long names): those it conflicts with
 * that were typed too, or those it needs that were not given; null when nothing. The command line
 * and a profile's balance or govern section (commands/balance/profile.ts) weigh combinations by it.
 */
export function badCombination(s: OptionSpec, given: (long: string) => boolean, typed: (long: string) => boolean = given):
  { kind: 'conflicts' | 'requires'; others: string[] } | null {
  const long = optionNames(s.flags).long;
  if (s.conflicts && typed(long)) {
    const clash = s.conflicts.options.filter(typed);
    if (clash.length) return { kind: 'conflicts', others: clash };
  }
  if (s.requires) {
    const missing = s.requires.options.filter((o) => !given(o));
    if (missing.length) return { kind: 'requires', others: missing };
  }
  return null;
}

/** The positional arguments parsed by their specs (a variadic one value by value). */
export function applyArgSpecs(specs: readonly ArgSpec[], args: unknown[]): unknown[] {
  return args.map((a, i) => {
    const s = specs[i];
    if (!s?.value || a === undefined) return a;
    const label = s.name.toUpperCase();
    return Array.isArray(a) ? a.map((x) => parseValue(s.value, x, label)) : parseValue(s.value, a, label);
  });
}
