import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { dir, groupName } from '../../option-values.js';

const args = [
  { name: 'group', description: 'the group that may read the energy counters (e.g. power, prometheus)', required: true, value: groupName },
] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '--root-dir <dir>', description: 'install into DIR instead of / (no udevadm call then)', defaultValue: '/', complete: 'dir', value: dir },
  { flags: '--tmpfiles', description: 'write /etc/tmpfiles.d/powercapctl-energy.conf instead of a udev rule (boot only)' },
] as const satisfies readonly OptionSpec[];

export type GrantReadArgs = ArgsOf<typeof args>;
export type GrantReadOptions = OptionsOf<typeof options>;

export const grantReadSpec: CommandSpec = {
  name: 'grant-read',
  group: 'setup',
  summary: 'let a group read energy_uj (udev rule or tmpfiles.d), after printing the side-channel trade-off',
  description:
    'energy_uj is root-only since CVE-2020-8694 (PLATYPUS). grant-read GROUP prints that trade-off on stderr, then writes\n' +
    'a udev rule (default) that gives GROUP read access to every zone\'s energy_uj whenever the zone appears, or with\n' +
    '--tmpfiles a tmpfiles.d line applied at boot. --root-dir installs into a folder; udevadm is run only for the real root.\n' +
    'The rule acts on the live tree: grant-read takes no snapshot.',
  source: 'live',
  args,
  options,
  examples: [
    { command: 'sudo powercapctl grant-read power', description: 'members of group power may read energy_uj' },
    { command: 'mkdir -p /tmp/img && powercapctl grant-read prometheus --root-dir /tmp/img --tmpfiles', description: 'a tmpfiles.d line in an image folder' },
  ],
  load: () => import('./run.js'),
};
