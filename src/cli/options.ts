/**
 * Options as their specs declare them (spec.ts OptionSpec: value, required, conflicts, requires),
 * checked and parsed in one place after commander has read the command line and before the runner
 * runs: the runner receives typed, validated options, and every command words these refusals alike
 * (a usage error, exit 2, naming the option). As npm-check-updates' cli-options does.
 */
import { PowercapError, usageError } from '../core/errors.js';
import { parseDurationUs, parseIntervalUs, parsePowerUw, parseTemperatureMc } from '../core/units.js';
import type { OptionSpec, ValueKind } from './spec.js';

const PARSERS: Record<ValueKind, (text: string) => unknown> = {
  power: parsePowerUw,
  duration: parseDurationUs,
  interval: parseIntervalUs,
  temperature: parseTemperatureMc,
  count: (text) => {
    if (!/^[0-9]+$/.test(text.trim()) || Number(text) < 1) throw usageError(`'${text}' is not a positive whole number`, 'e.g. 10');
    return Number(text);
  },
};

/** `-c, --time-window <duration>` → 'time-window' (long name) and 'timeWindow' (commander's key). */
export function optionNames(flags: string): { long: string; key: string } {
  const long = /--([a-z0-9-]+)/i.exec(flags)?.[1] ?? flags;
  const bare = long.replace(/^no-/, '');
  return { long, key: bare.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) };
}

const listOf = (names: readonly string[]) =>
  names.length === 1 ? `--${names[0]}` : `${names.slice(0, -1).map((n) => `--${n}`).join(', ')} or --${names[names.length - 1]}`;

/**
 * A copy of `opts` with every declared value parsed; throws the first refusal. `from` says
 * which values are only defaults (not given) and holds the global options, so that a
 * command's option can conflict with a global one (`list --format csv --json`).
 */
export function applyOptionSpecs(
  specs: readonly OptionSpec[],
  opts: Record<string, unknown>,
  from: { isDefault?(key: string): boolean; globals?: Record<string, unknown> } = {},
): Record<string, unknown> {
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
    if (!present && s.required) throw usageError(`--${long} is required`, s.required.hint);
    if (!present) continue;
    if (s.conflicts && typed(long)) {
      const clash = s.conflicts.options.filter(typed);
      if (clash.length) throw usageError(s.conflicts.message ?? `--${long}: not with ${listOf(clash)}`, s.conflicts.hint);
    }
    if (s.requires) {
      const missing = s.requires.options.filter((o) => !given(o));
      if (missing.length) throw usageError(s.requires.message ?? `--${long} needs ${listOf(missing)}`, s.requires.hint);
    }
    if (s.value) {
      const parse = PARSERS[s.value];
      const one = (text: unknown) => {
        try {
          return parse(String(text));
        } catch (err) {
          if (!(err instanceof PowercapError)) throw err;
          throw usageError(`--${long} ${String(text)}: ${err.message}`, err.hint);
        }
      };
      out[key] = Array.isArray(v) ? v.map(one) : one(v);
    }
  }
  return out;
}
