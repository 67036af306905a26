import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { oneOf, outputFile, text } from '../../option-values.js';
import { POWER_SOURCES } from '../../../core/power-source.js';

const saveArgs = [
  { name: 'file', description: 'profile file to write (.yaml, .yml or .json), or - for stdout', required: true, complete: 'file', value: outputFile },
] as const satisfies readonly ArgSpec[];

const saveOptions = [
  { flags: '-f, --force', description: 'replace FILE if it exists' },
  { flags: '-d, --description <text>', description: 'a note stored in the profile', value: text('description') },
  { flags: '--when <source>', description: 'every item holds on this power source only (when: ac, when: battery)', value: oneOf(POWER_SOURCES) },
  { flags: '--merge', description: 'FILE exists: replace its items for --when\'s power source with the limits set now, keep those for the other (an item without when: then holds on the other)',
    requires: { options: ['when'], message: '--merge replaces the items of one power source', hint: 'add --when ac or --when battery' },
    conflicts: { options: ['force'], message: '--merge keeps part of FILE and --force replaces all of it: give one' } },
] as const satisfies readonly OptionSpec[];

export type ProfileSaveArgs = ArgsOf<typeof saveArgs>;
export type ProfileSaveOptions = OptionsOf<typeof saveOptions>;

export const profileSpec: CommandSpec = {
  name: 'profile',
  group: 'setup',
  summary: 'write the current limits as a profile, for apply and persist install',
  description:
    'A profile lists the limits a machine should hold (docs/profiles.md, schema/profile.schema.json). `profile save`\n' +
    'writes the current ones: each zone by its name (type/name when the MSR and MMIO copies differ), each value exact.\n' +
    'For limits that differ on AC and on battery, save once on each with --when (and --merge into one file).',
  examples: [
    { command: 'powercapctl --snapshot examples/intel-laptop.json profile save laptop.yaml', description: 'the limits of a snapshot as a profile' },
    { command: 'sudo powercapctl profile save /etc/powercapctl/profile.yaml --force', description: 'what is set now, for persist install' },
  ],
  subcommands: [
    {
      name: 'save',
      group: 'setup',
      summary: 'write the current limits to FILE (YAML, or JSON when FILE ends in .json; - for stdout)',
      args: saveArgs,
      options: saveOptions,
      examples: [
        { command: 'powercapctl --snapshot examples/xeon-2s.json profile save -', description: 'print a profile of the Xeon example' },
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json profile save board.json -f', description: 'as JSON (the file name says so)' },
        { command: 'sudo powercapctl profile save /etc/powercapctl/profile.yaml --when battery --merge', description: 'on battery: the limits set now become the file\'s items for battery' },
      ],
      load: () => import('./save.js'),
    },
  ],
};
