import type { CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { dir, file, interval } from '../../option-values.js';

const options = [
  { flags: '--interval <duration>', description: 'the sampling interval wrap-horizon is judged against (1s, 100ms; a bare number is seconds)', defaultValue: '1s', value: interval({ min: '1ms' }) },
  { flags: '--proc <dir>', description: 'the proc filesystem to read processes and the environment from (a live tree only: a snapshot\'s machine is elsewhere)', defaultValue: '/proc', complete: 'dir', value: dir, source: 'live' },
  { flags: '--root-dir <dir>', description: 'where installed units are looked for (not-persisted)', defaultValue: '/', complete: 'dir', value: dir },
  { flags: '--kernel-log <file>', description: 'the kernel log to search for "locked by BIOS" (with a snapshot: the log of its machine)', defaultDescription: 'dmesg, when readable, on a live tree', complete: 'file', value: file },
] as const satisfies readonly OptionSpec[];

export type DoctorOptions = OptionsOf<typeof options>;

export const doctorSpec: CommandSpec = {
  name: 'doctor',
  group: 'setup',
  summary: 'check why limits do not hold or readings fail, each finding with its evidence and fix',
  description:
    'Checks this machine (or a snapshot) and explains each finding: no-powercap (VM, container, WSL, kernel config,\n' +
    'modules), not-root (energy_uj is root-only), limit-locked (firmware lock; the kernel\'s "locked by BIOS" line),\n' +
    'msr-mmio-differ (with the effective limit), competing-writer (thermald, tuned, throttled…, a running powercapctl\n' +
    'balance or govern, in /proc), wrap-horizon (how long each counter takes to wrap at its maximum power, against\n' +
    '--interval), dtpm-unlimited, not-persisted,\n' +
    'gpu-cap-below-default (a GPU capped below its driver\'s default), gpu-cap-differs (a GPU cap that reads back other\n' +
    'than the persisted profile sets: a driver reset, another program, a GPU that clamps).\n' +
    'On a snapshot the checks of this machine\'s processes and environment are left out (--proc is refused).\n' +
    '--json gives a list of findings, each with a stable id, a severity, the evidence and the fix. Exit 0 when it ran.',
  options,
  examples: [
    { command: 'sudo powercapctl doctor', description: 'check this machine' },
    { command: 'powercapctl --snapshot examples/intel-laptop.json doctor --json', description: 'findings of the laptop example as JSON (msr-mmio-differ, not-persisted)' },
  ],
  load: () => import('./run.js'),
};
