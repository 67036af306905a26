import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { controlType, duration, text, zone } from '../../option-values.js';

/** ZONE POWER, or ZONE=POWER pairs: the arguments are split and each power parsed by the runner's parseTargets */
const args = [
  { name: 'zone', description: 'zone id (intel-rapl:0), unique name (package-0) or type/name; or ZONE=POWER', required: true, value: zone },
  { name: 'power', description: 'power with a unit (25W, 2500mW, max, min, 80%); or more ZONE=POWER pairs', variadic: true },
] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '-c, --constraint <name|n>', description: 'constraint by name (long_term, short_term, peak_power) or number', defaultDescription: 'long_term, else the only constraint', value: text('constraint name or number', 'constraint') },
  { flags: '-w, --time-window <duration>', description: 'also set the constraint\'s time window (28s, 2.44ms, 976us)', value: duration() },
  { flags: '--enable', description: 'also write 1 to the zone\'s enabled file', conflicts: { options: ['disable'], message: '--enable and --disable contradict each other: give one' } },
  { flags: '--disable', description: 'also write 0 to the zone\'s enabled file' },
  { flags: '-n, --dry-run', description: 'print the plan (zone, constraint, old → new) and write nothing' },
  { flags: '-y, --yes', description: 'do not ask for confirmation on a terminal' },
  { flags: '-f, --force', description: 'write a value outside the constraint\'s min/max, or a limit of 0 or below 10 % of max, without asking (says what it overrides)' },
  { flags: '--only <type>', description: 'a package name means both copies (MSR and MMIO): set only this control type\'s copy (intel-rapl)', value: controlType },
] as const satisfies readonly OptionSpec[];

export type SetLimitArgs = ArgsOf<typeof args>;
export type SetLimitOptions = OptionsOf<typeof options>;

export const setLimitSpec: CommandSpec = {
  name: 'set-limit',
  group: 'write',
  summary: 'set a power limit (and time window, enabled) on one or more zones, as one transaction',
  description:
    'Set a constraint\'s power limit: `set-limit ZONE POWER`, or several zones at once with `set-limit ZONE=POWER ZONE=POWER …`.\n' +
    'Everything is checked before the first write (zone, constraint, bounds); values are read back and shown as\n' +
    'old → requested → applied (the kernel quantises RAPL values, DTPM applies what its children can). If any write\n' +
    'fails, or Ctrl-C arrives between two writes, every earlier write is restored. On a snapshot the file is updated\n' +
    'through the emulated kernel, atomically, and left unchanged on failure.',
  args,
  options,
  examples: [
    { command: 'sudo powercapctl set-limit intel-rapl:0 25W', description: 'cap package 0 (long_term) at 25 W' },
    { command: 'sudo powercapctl set-limit package-0 25W', description: 'both copies of the package (MSR and MMIO), one transaction: the lower limit is in force' },
    { command: 'sudo powercapctl set-limit package-0 25W --only intel-rapl', description: 'the MSR copy only' },
    { command: 'sudo powercapctl set-limit intel-rapl:0=20W intel-rapl-mmio:0=20W -w 28s', description: 'both copies by id, with a time window' },
    { command: 'cp examples/rk3399-dtpm.json board.json && powercapctl --snapshot board.json set-limit package 3W', description: 'DTPM split on a snapshot copy, file updated' },
    { command: 'cp examples/gpu-workstation.json ws.json && powercapctl --snapshot ws.json set-limit amdgpu-PPT 250W', description: 'a GPU\'s cap (amdgpu power1_cap, in whole watts, within its range even forced)' },
  ],
  load: () => import('./run.js'),
};
