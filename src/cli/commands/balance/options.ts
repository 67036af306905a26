/**
 * balance's arguments and options, and those it shares with govern, as data: the command's spec
 * (spec.ts), the profile's section (profile.ts) and persist's units read them. Apart from spec.ts,
 * which loads the runner, so that the runner's own modules can read them without a cycle.
 */
import type { ArgsOf, ArgSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { decimal, file, interval, named, outputFile, power, text, zone } from '../../option-values.js';
import { optionNames } from '../../options.js';

export const zoneArgs = [
  { name: 'zone', description: 'zone id (dtpm:0:0:1, intel-rapl:0), name or glob; DTPM leaves only (or --under NODE)', variadic: true, complete: 'zone', value: zone },
] as const satisfies readonly ArgSpec[];

/** What balance and govern share: the zones, the loop, what is written and where the records go. */
export const loopOptions = [
  { flags: '--under <zone>', description: 'also manage every leaf under this node (a DTPM parent: dtpm:0:0)', repeatable: true, value: zone },
  { flags: '-i, --interval <duration>', description: 'time between two periods (read, decide, write)', defaultValue: '1s', value: interval({ min: '10ms' }) },
  { flags: '-w, --weight <zone=n>', description: 'share of a zone among the saturated ones (and of the headroom), default 1', repeatable: true, value: named(decimal({ min: 0.01, max: 100 }), 'ZONE') },
  { flags: '--min <zone=power>', description: 'never limit this zone below POWER (at least its own minimum)', repeatable: true, value: named(power, 'ZONE') },
  { flags: '-c, --constraint <name|n>', description: 'RAPL constraint to write', defaultDescription: 'long_term, else the only constraint', value: text('constraint name or number', 'constraint') },
  { flags: '-n, --dry-run', description: 'read and decide every period, write nothing' },
  { flags: '-d, --duration <duration>', description: 'stop after this long (default: until SIGTERM or Ctrl-C)', value: interval() },
  { flags: '--keep', description: 'at the end, leave the limits as they are instead of restoring the ones found at the start',
    conflicts: { options: ['dry-run'], message: '--keep leaves written limits in place, and --dry-run writes none: give one' } },
  { flags: '--report <file>', description: 'rewrite FILE atomically each period with the budget, the total and each zone\'s power, limit and state (docs/fleet.md)', value: outputFile },
] as const satisfies readonly OptionSpec[];

/**
 * How one run goes, given on the command line only: a profile's section (commands/balance/profile.ts)
 * holds every other option, what the service keeps running.
 */
export const RUN_ONLY: readonly string[] = ['profile', 'dry-run', 'duration', 'keep'];

/**
 * --profile FILE: the zones and options from the profile's section (what persist install's service
 * runs). The options the section holds may not be given beside it: one place says each.
 */
export function profileOption(command: string, others: readonly OptionSpec[]) {
  return {
    flags: '--profile <file>',
    description: `take the zones and options from the profile's ${command}: section (docs/profiles.md; the service persist install writes runs this)`,
    value: file,
    conflicts: {
      options: others.map((o) => optionNames(o.flags).long).filter((l) => !RUN_ONLY.includes(l)),
      hint: `the profile's ${command}: section gives the zones and options; on the command line: --dry-run, --duration, --keep, --json`,
    },
  } as const satisfies OptionSpec;
}

const budgetOptions = [
  { flags: '-b, --budget <power>', description: 'the power the zones share (their limits never add up past it)', value: power,
    required: { message: 'no budget: give --budget POWER, or --budget-file FILE that a resource manager writes', hint: 'e.g. balance --budget 2.5W dtpm:0:0:0 dtpm:0:0:1 dtpm:0:0:2', unless: ['budget-file', 'profile'] },
    conflicts: { options: ['budget-file'], message: '--budget and --budget-file both give the budget: give one' } },
  { flags: '--budget-file <file>', description: 'follow the budget a resource manager writes in FILE (budget: 1.5W, optional until: RFC 3339), re-read each period', value: file },
  { flags: '--fallback-budget <power>', description: 'the budget while the budget file is missing, unreadable, invalid or lapsed (never above the last good one)', value: power,
    requires: { options: ['budget-file'], message: '--fallback-budget stands in for --budget-file: give it with --budget-file' } },
  ...loopOptions,
] as const satisfies readonly OptionSpec[];

export const balanceOptions = [...budgetOptions, profileOption('balance', budgetOptions)] as const satisfies readonly OptionSpec[];

export type ZoneArgs = ArgsOf<typeof zoneArgs>;
export type LoopOptions = OptionsOf<typeof loopOptions>;
export type BalanceOptions = OptionsOf<typeof balanceOptions>;
