import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { decimal, file, interval, named, outputFile, power, text, zone } from '../../option-values.js';

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

const options = [
  { flags: '-b, --budget <power>', description: 'the power the zones share (their limits never add up past it)', value: power,
    conflicts: { options: ['budget-file'], message: '--budget and --budget-file both give the budget: give one' } },
  { flags: '--budget-file <file>', description: 'follow the budget a resource manager writes in FILE (budget: 1.5W, optional until: RFC 3339), re-read each period', value: file },
  { flags: '--fallback-budget <power>', description: 'the budget while the budget file is missing, unreadable, invalid or lapsed (never above the last good one)', value: power,
    requires: { options: ['budget-file'], message: '--fallback-budget stands in for --budget-file: give it with --budget-file' } },
  ...loopOptions,
] as const satisfies readonly OptionSpec[];

export type ZoneArgs = ArgsOf<typeof zoneArgs>;
export type LoopOptions = OptionsOf<typeof loopOptions>;
export type BalanceOptions = OptionsOf<typeof options>;

export const balanceSpec: CommandSpec = {
  name: 'balance',
  group: 'write',
  summary: 'keep zones under a power budget, moving it to where it is drawn',
  description:
    'Every period (--interval, 1 s): read each zone\'s power (energy_uj through the wrap-proof sampler, or power_uw),\n' +
    'tell the saturated zones (drawing at least 95 % of their limit) from those with slack, and split the budget:\n' +
    'every zone its minimum, a slack zone its draw and a margin, the rest to the saturated ones by --weight, none\n' +
    'above its maximum. Lowered limits are written before raised ones, so the limits never add up past the budget,\n' +
    'even between two writes; at most one write per zone per period, and none for a change below 2 % of its maximum.\n' +
    'DTPM: leaves only (writing a parent makes the kernel split it by fixed weights). RAPL: the long_term constraint\n' +
    'unless --constraint. A limit changed by another program is reported, and that zone is left alone from then on.\n' +
    'It runs until SIGTERM (exit 0), Ctrl-C (130) or --duration, then writes back the limits it found (--keep leaves\n' +
    'them). On a terminal a live view shows the budget and each zone; --json prints one record per period (NDJSON,\n' +
    'schema/balance.schema.json); otherwise a line per period that wrote. Exit 2 for a budget below the zones\' total\n' +
    'minimum, a zone named twice, a DTPM parent, or a zone with no power reading or no writable limit; 4 without\n' +
    'the permission to write the limits (checked before anything is measured). See docs/balance.md and docs/fleet.md.',
  args: zoneArgs,
  options,
  source: 'live',
  examples: [
    { command: 'powercapctl sim examples/sim-rk3399-moving.yaml --serve board', description: 'no DTPM here? serve a simulated rk3399 in board/, its demand moving between the clusters and the GPU, until Ctrl-C' },
    { command: 'powercapctl --root board/powercap balance --budget 2.5W --interval 200ms dtpm:0:0:0 dtpm:0:0:1 dtpm:0:0:2', description: 'its three DTPM leaves share 2.5 W, following their demand, until Ctrl-C (--under dtpm:0:0 names them all; on a board: sudo powercapctl balance …)' },
    { command: 'sudo powercapctl balance --budget-file budget.yaml --fallback-budget 20W --report report.json intel-rapl:0', description: 'follow the budget a resource manager writes in budget.yaml (20 W until there is one), and report back to it (docs/fleet.md)' },
    { command: 'sudo powercapctl balance --budget 20W --dry-run --duration 2s --json intel-rapl:0', description: 'two seconds of decisions for package 0 under 20 W, nothing written, one NDJSON record a period' },
  ],
  load: () => import('./run.js'),
};
