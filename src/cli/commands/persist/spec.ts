import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { absolutePath, dir, file, interval } from '../../option-values.js';

const rootDir = {
  flags: '--root-dir <dir>', description: 'install into DIR instead of / (as DESTDIR: for images, packages and tests); no systemctl call then',
  defaultValue: '/', complete: 'dir', value: dir,
} as const satisfies OptionSpec;

const installArgs = [
  { name: 'file', description: 'profile to install (YAML or JSON); default: keep the installed one, else save the current limits', complete: 'file', value: file },
] as const satisfies readonly ArgSpec[];

const installOptions = [
  rootDir,
  { flags: '--watch <interval>', description: 'also install the drift watchdog: apply --watch INTERVAL (30s, 5min; 100ms to 24h)', value: interval({ min: '100ms' }) },
  { flags: '--exec <path>', description: 'the powercapctl the units run (an absolute path)', defaultDescription: 'this installation\'s bin/powercapctl', value: absolutePath('/usr/bin/powercapctl') },
] as const satisfies readonly OptionSpec[];

const removeOptions = [rootDir, { flags: '--purge', description: 'also remove the profile and the state file' }] as const satisfies readonly OptionSpec[];
const statusOptions = [rootDir] as const satisfies readonly OptionSpec[];

export type PersistInstallArgs = ArgsOf<typeof installArgs>;
export type PersistInstallOptions = OptionsOf<typeof installOptions>;
export type PersistRemoveOptions = OptionsOf<typeof removeOptions>;
export type PersistStatusOptions = OptionsOf<typeof statusOptions>;

export const persistSpec: CommandSpec = {
  name: 'persist',
  group: 'setup',
  summary: 'keep a profile applied: systemd units and a udev rule for boot, resume and AC changes',
  description:
    '`persist install [FILE]` copies the profile to /etc/powercapctl/profile.yaml (without FILE: the limits set now) and\n' +
    'writes systemd units and a udev rule that apply it at boot once the RAPL/DTPM drivers are up, after every resume,\n' +
    'and when AC power comes or goes; `--watch INTERVAL` adds a service running `apply --watch`, which restores\n' +
    'drift and logs it to the journal. A profile with a balance: or govern: section also gets a service running it\n' +
    '(powercapctl-balance.service: balance --profile FILE, after the apply unit; stopped, it writes back the limits it\n' +
    'found). Every path honours --root-dir; systemctl is called only for the real root.\n' +
    'The units act on the live tree, so persist works with a live tree (--root), not a snapshot.\n' +
    'See README "Keeping limits set".',
  examples: [
    { command: 'sudo powercapctl persist install examples/profile-laptop.yaml --watch 30s', description: 'apply at boot, resume, AC change; watch for drift' },
    { command: 'powercapctl persist status --root-dir /tmp/img', description: 'what is installed in an image folder, last apply, drifts' },
  ],
  subcommands: [
    {
      name: 'install',
      group: 'setup',
      summary: 'install the profile, units and udev rule (without FILE: the limits set now)',
      source: 'live',
      args: installArgs,
      options: installOptions,
      examples: [
        { command: 'mkdir -p /tmp/img && powercapctl persist install examples/profile-laptop.yaml --root-dir /tmp/img', description: 'into an image folder' },
        { command: 'sudo powercapctl persist install', description: 'keep the limits set now: saved as the profile' },
        { command: 'powercapctl persist install examples/profile-balance-rk3399.yaml --root-dir /tmp/img', description: 'a profile with a balance: section: powercapctl-balance.service too' },
      ],
      load: () => import('./install.js'),
    },
    {
      name: 'status',
      group: 'setup',
      summary: 'installed or not, enabled, the last apply and the drifts the watchdog restored',
      source: 'live',
      options: statusOptions,
      examples: [
        { command: 'powercapctl persist status', description: 'on this machine' },
        { command: 'powercapctl persist status --root-dir /tmp/img --json', description: 'as JSON, in an image folder' },
      ],
      load: () => import('./status.js'),
    },
    {
      name: 'remove',
      group: 'setup',
      summary: 'remove the units, the udev rule and their enablement links (the profile stays unless --purge)',
      source: 'live',
      options: removeOptions,
      examples: [
        { command: 'sudo powercapctl persist remove', description: 'stop re-applying at boot, resume and AC change' },
        { command: 'powercapctl persist remove --root-dir /tmp/img --purge', description: 'everything, from an image folder' },
      ],
      load: () => import('./remove.js'),
    },
  ],
};
