import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { controlType, file, interval, oneOf, outputFile } from '../../option-values.js';
import { POWER_SOURCES } from '../../../core/power-source.js';

const args = [
  { name: 'file', description: 'profile (YAML or JSON): version: 1, limits: [{zone, constraint, power, timeWindow, enabled, when}], and a balance: or govern: section its service runs', required: true, complete: 'file', value: file },
] as const satisfies readonly ArgSpec[];

/** Exported: persist install builds the command its units run from these flags. */
export const applyOptions = [
  { flags: '--check', description: 'compare only: exit 0 when in state, 7 when not; nothing is written' },
  { flags: '-f, --force', description: 'write a limit of 0 or below 10 % of max without asking (a terminal asks; otherwise refused)',
    conflicts: { options: ['check'], message: '--force and --check: --check writes nothing, there is nothing to force' } },
  { flags: '--only <type>', description: 'only zones of this control type (intel-rapl: the MSR copy of a package, not MMIO)', value: controlType },
  { flags: '--power-source <source>', description: 'apply the items for this power source (when: ac, when: battery) instead of the one the power supplies report (--power-supply-root)', value: oneOf(POWER_SOURCES) },
  { flags: '--watch <interval>', description: 'keep applying: re-read the limits every interval (30s, 5m; 100ms to 24h), restore drift, log it on stderr; a live tree only',
    value: interval({ min: '100ms' }), source: 'live',
    conflicts: { options: ['check'], message: '--watch and --check contradict each other: give one' } },
  { flags: '--state <file>', description: 'record the last apply and the drifts seen here (read by persist status)', complete: 'file', value: outputFile,
    conflicts: { options: ['check'], message: '--state records what apply wrote: --check writes nothing, so there is nothing to record' } },
] as const satisfies readonly OptionSpec[];

export type ApplyArgs = ArgsOf<typeof args>;
export type ApplyOptions = OptionsOf<typeof applyOptions>;

export const applySpec: CommandSpec = {
  name: 'apply',
  group: 'write',
  summary: 'bring the limits into a profile\'s state (YAML or JSON), as one transaction; --check compares only',
  description:
    'Read the current limits, plan the profile\'s settings with the set-limit checks, print old → desired → applied\n' +
    '(with the kernel\'s quantisation) and write only what differs, as one transaction with rollback. Each setting is\n' +
    'reported changed or unchanged; a second run changes nothing. A package name that means both the MSR (intel-rapl)\n' +
    'and the MMIO (intel-rapl-mmio) copy sets both (--only TYPE restricts it). --check writes nothing and exits 0 in\n' +
    'state, 7 not in state. --json carries "changed": true|false (Ansible changed_when). Works on snapshots too;\n' +
    '--watch keeps a live tree in state. An item with `when: ac` or `when: battery` holds on that power source only:\n' +
    'AC when a Mains or USB supply is online, battery when none is and a battery is there, AC with no supply at all\n' +
    '(read from --power-supply-root; --power-source says which instead). A balance: or govern: section is checked and\n' +
    'left to the service persist install writes for it (balance --profile FILE): apply neither runs nor compares it.\n' +
    'Format: docs/profiles.md, schema/profile.schema.json.',
  args,
  options: applyOptions,
  examples: [
    { command: 'cp examples/intel-laptop.json l.json && powercapctl --snapshot l.json apply examples/profile-laptop.yaml', description: 'apply a profile to a snapshot copy' },
    { command: 'powercapctl --snapshot examples/intel-laptop.json apply --check examples/profile-laptop.yaml; echo $?', description: '7: not in state (nothing written)' },
    { command: 'sudo powercapctl apply examples/profile-laptop.yaml --json', description: 'on this machine, for Ansible: changed_when from the JSON' },
    { command: 'cp examples/intel-laptop.json l.json && powercapctl --snapshot l.json apply examples/profile-laptop-ac-battery.yaml --power-source battery', description: 'the items for battery (when: battery, and those without when)' },
  ],
  load: () => import('./run.js'),
};
