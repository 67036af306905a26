/**
 * What to type next, for a refusal core reported as a fact (core/errors.ts `Reason`): core
 * says what is wrong and never names a flag; the command that ran words the way out in its
 * own options. One table, read by the one error reporter (report-error.ts).
 */
import type { Reason } from '../core/errors.js';
import * as path from 'node:path';
import { packageRoot } from '../core/package-root.js';

/** What a wording may need besides core's hint: the source the user gave, for a command to type next. */
export interface HintContext {
  /** the user's source options as typed again (`--snapshot board.json`), or none for the default live tree */
  readonly source: readonly string[];
}

type Wording = (coreHint: string | undefined, on: HintContext) => string;

/** A word as a POSIX shell reads it back: bare when it is safe, else in single quotes. */
export const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The source options a user gave (a snapshot, or a live root other than the default), as words to type again. */
export function sourceArgs(g: { readonly root?: string | undefined; readonly snapshot?: string | undefined }): string[] {
  if (g.snapshot !== undefined) return ['--snapshot', g.snapshot];
  if (g.root !== undefined) return ['--root', g.root];
  return [];
}

/**
 * A command to type next, on the source the user gave: `powercapctl --snapshot board.json list`.
 * Every hint that names a command to run on the same source words it here, so the source is kept.
 */
export function commandLine(source: readonly string[] | { readonly root?: string | undefined; readonly snapshot?: string | undefined }, words: string): string {
  const args = Array.isArray(source) ? source : sourceArgs(source as { root?: string; snapshot?: string });
  return ['powercapctl', ...args.map(shellWord), words].join(' ');
}

const join = (mine: string, core: string | undefined) => (core ? `${mine} (${core})` : mine);

/** the way out of `needs-coefficient` wherever --coefficient is an option (the model subcommands, registry add) */
const GIVE_COEFFICIENT = 'give --coefficient C, the dynamic-power-coefficient of the CPU or device node';

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
  'one-copy-lacks': {
    'set-limit': (h) => `${h ? `${h}: ` : ''}set that copy alone (its id, or --only and its control type)`,
    apply: (h) => `${h ? `${h}: ` : ''}name that copy alone in the profile (its id, or type/name)`,
    '*': (h) => `${h ? `${h}: ` : ''}name that copy alone`,
  },
  'system-folder': {
    'persist install': () => 'run as root (sudo), or install into an image folder with --root-dir DIR',
    'persist remove': () => 'run as root (sudo), or remove from an image folder with --root-dir DIR',
    'grant-read': () => 'run as root (sudo), or write into an image folder with --root-dir DIR',
    '*': () => 'run as root (sudo)',
  },
  'nothing-to-set': {
    'set-limit': () => 'give a power, --time-window, --enable or --disable (ZONE POWER, or ZONE=POWER pairs)',
    '*': () => 'give a power, a time window or enabled',
  },
  // the model subcommands (`model` stands for each of them), and registry add's table of voltages
  'needs-coefficient': {
    model: (h) => join(GIVE_COEFFICIENT, h),
    'registry add': (h) => join(GIVE_COEFFICIENT, h),
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
  // DTPM hierarchies (create-node, delete-node, dtpm import / check) and their devices (registry add)
  'built-at-boot': {
    '*': () => 'build it on a snapshot (--snapshot FILE), or on a configfs directory (--configfs DIR) where one exists; `powercapctl dtpm export --format kernel-table` renders the table for the kernel',
  },
  'parents-missing': {
    'create-node': () => 'create the parents first, or use -p/--parents to create them as virtual nodes',
    '*': () => 'create the parents first',
  },
  'named-like-device': {
    'create-node': (h) => `${h ? `${h}; ` : ''}--virtual makes a virtual node of that name on purpose`,
    '*': (h) => h ?? 'choose another name, or register the device first',
  },
  'has-children': {
    'delete-node': () => 'delete them first, or use -r/--recursive to delete the whole subtree',
    '*': () => 'delete them first',
  },
  'hierarchy-exists': {
    'dtpm import': () => 'use --replace to replace it',
    '*': () => 'delete it first',
  },
  'dt-path-unknown': {
    '*': () => 'record it: powercapctl registry add NAME … --dt-path PATH',
  },
  'device-needs-domain': {
    'registry add': () => 'give --em DOMAIN, or register it as --kind other with --power-min/--power-max',
    '*': () => 'name its energy-model domain',
  },
  'device-needs-bounds': {
    'registry add': () => 'give --power-max (and --power-min), or an energy model with --em DOMAIN',
    '*': () => 'give its power bounds or its energy-model domain',
  },
  'domain-exists': {
    'registry add': () => 'drop --em-table to use it as it is',
    '*': () => 'use the domain as it is',
  },
  'domain-unknown': {
    'registry add': (h) => `add its table with --em-table FILE${h ? `, or name one of the snapshot's ${h}` : ''}`,
    '*': (h) => h ?? 'see the snapshot\'s domains',
  },
  'domain-needs-cpus': {
    'registry add': () => 'give them with --cpus, e.g. --cpus 0-3',
    '*': () => 'give the CPUs of the domain',
  },
  // sources and zones
  'two-sources': {
    '*': () => '--root and --snapshot are two different sources: give one',
  },
  'no-powercap': {
    // an absolute path, so that it works from any folder (found only when the hint is printed)
    '*': (h) => `${h ? `${h}; ` : ''}or try the bundled example: powercapctl --snapshot ${shellWord(path.join(packageRoot(), 'examples', 'intel-laptop.json'))} tree`,
  },
  'root-not-tree': {
    '*': () => 'give the powercap class directory (--root /sys/class/powercap) or a copy of one',
  },
  'hwmon-root-missing': {
    '*': () => 'give the hwmon class directory (--hwmon-root /sys/class/hwmon) or a copy of one, or drop --hwmon-root (and POWERCAPCTL_HWMON_ROOT)',
  },
  'folder-not-snapshot': {
    '*': () => 'for a sysfs tree or a copy of one, use --root DIR',
  },
  'zone-unknown': {
    '*': (h, on) => h ?? `see the zones with: ${commandLine(on.source, 'list')}`,
  },
  'address-in-use': {
    exporter: () => 'stop what holds it (another exporter?) or pick another port: --listen ADDR:PORT',
    '*': () => 'stop what holds it, or pick another port',
  },
  // limits
  'energy-only': {
    '*': () => 'there is no limit to set on it',
  },
  'amd-energy-only': {
    apply: () => 'drop the item from the profile: its energy counters can be watched (powercapctl watch), and the power limits of an AMD part are set in its firmware setup',
    '*': () => 'its energy counters can be watched (powercapctl watch); the power limits of an AMD part are set in its firmware setup',
  },
};

/** Messages the CLI words itself from core's fact and its subject (core/errors.ts PowercapError.subject); other errors keep core's message. */
const MESSAGES: Partial<Record<Reason, (subject: string) => string>> = {
  'amd-energy-only': (subject) => `${subject}: AMD exposes no power limit through powercap, only energy counters (no constraint files)`,
};

/** The message to print for an error: the CLI's wording of its fact where it has one, else core's message. */
export function messageFor(err: { message: string; reason?: Reason | undefined; subject?: string | undefined }): string {
  const word = err.reason === undefined || err.subject === undefined ? undefined : MESSAGES[err.reason];
  return word ? word(err.subject!) : err.message;
}

/**
 * The hint to print for an error: the command's wording of its reason (the full command path,
 * else its first word for a family worded alike, `model`), else the error's own; `on` carries
 * the user's source, for a command the wording names.
 */
export function hintFor(reason: Reason | undefined, command: string, coreHint: string | undefined, on: HintContext = { source: [] }): string | undefined {
  if (reason === undefined) return coreHint;
  const table = HINTS[reason];
  const word = table[command] ?? table[command.split(' ')[0]!] ?? table['*']!;
  return word(coreHint, on);
}
