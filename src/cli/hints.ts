/**
 * What to type next, for a refusal core reported as a fact (core/errors.ts `Reason`): core
 * says what is wrong and never names a flag; the command that ran words the way out in its
 * own options. One table, read by the one error reporter (report-error.ts).
 */
import type { Reason } from '../core/errors.js';

type Wording = (coreHint: string | undefined) => string;

const join = (mine: string, core: string | undefined) => (core ? `${mine} (${core})` : mine);

/** The wording for every command that takes the option the way out needs; '*' for any other. */
const HINTS: Record<Reason, Record<string, Wording>> = {
  overridable: {
    'set-limit': (h) => join('use --force to write it anyway', h),
    apply: (h) => join('change the value in the profile, or apply it with --force', h),
    '*': (h) => join('the value is outside what the zone reports it takes', h),
  },
  'constraint-ambiguous': {
    'set-limit': (h) => `say which with --constraint${h ? `: ${h}` : ''}`,
    apply: (h) => `say which with constraint: in the profile item${h ? `: ${h}` : ''}`,
    '*': (h) => `say which constraint${h ? `: ${h}` : ''}`,
  },
  'not-of-type': {
    'set-limit': () => 'drop --only, or name a zone of that type',
    apply: () => 'drop --only, or name a zone of that type',
    '*': () => 'name a zone of that type',
  },
  'nothing-to-set': {
    'set-limit': () => 'give a power, --time-window, --enable or --disable (ZONE POWER, or ZONE=POWER pairs)',
    '*': () => 'give a power, a time window or enabled',
  },
  // the model subcommands (`model` stands for each of them)
  'needs-coefficient': {
    model: (h) => join('give --coefficient C, the dynamic-power-coefficient of the CPU or device node', h),
    '*': (h) => join('the dynamic-power-coefficient of the CPU or device node is needed', h),
  },
  'several-tables': {
    model: (h) => `choose one with --table${h ? `: ${h}` : ''}`,
    '*': (h) => `choose one table${h ? `: ${h}` : ''}`,
  },
  'no-opp-table': {
    model: (h) => `${h ?? 'give the device tree that holds the OPP tables'}, or a table of the OPPs with --opp-file FILE`,
    '*': (h) => h ?? 'give the device tree that holds the OPP tables',
  },
  'needs-hw-mask': {
    model: (h) => `${h ? `${h}: ` : ''}give the board's mask with --supported-hw MASK`,
    '*': (h) => `${h ? `${h}: ` : ''}give the board's opp-supported-hw mask`,
  },
  // balance and govern write DTPM leaves only; the core hint lists the leaves
  'dtpm-parent': {
    balance: (h) => join('name its leaves, or give the node with --under', h),
    govern: (h) => join('name its leaves, or give the node with --under', h),
    '*': (h) => join('name its leaves', h),
  },
  'no-idle-state': {
    model: () => 'give the domain\'s states with --state NAME:entry:exit:residency (CLUSTER_SLEEP:400us:500us:2ms), or --preset rk3399',
    '*': () => 'give the domain\'s idle states',
  },
};

/**
 * The hint to print for an error: the command's wording of its reason (the full command path,
 * else its first word for a family worded alike, `model`), else the error's own.
 */
export function hintFor(reason: Reason | undefined, command: string, coreHint: string | undefined): string | undefined {
  if (reason === undefined) return coreHint;
  const table = HINTS[reason];
  const word = table[command] ?? table[command.split(' ')[0]!] ?? table['*']!;
  return word(coreHint);
}
