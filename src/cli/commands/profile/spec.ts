import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { outputFile, text } from '../../option-values.js';

const saveArgs = [
  { name: 'file', description: 'profile file to write (.yaml, .yml or .json), or - for stdout', required: true, complete: 'file', value: outputFile },
] as const satisfies readonly ArgSpec[];

const saveOptions = [
  { flags: '-f, --force', description: 'replace FILE if it exists' },
  { flags: '-d, --description <text>', description: 'a note stored in the profile', value: text('description') },
] as const satisfies readonly OptionSpec[];

export type ProfileSaveArgs = ArgsOf<typeof saveArgs>;
export type ProfileSaveOptions = OptionsOf<typeof saveOptions>;

export const profileSpec: CommandSpec = {
  name: 'profile',
  group: 'setup',
  summary: 'write the current limits as a profile, for apply and persist install',
  description:
    'A profile lists the limits a machine should hold (docs/profiles.md, schema/profile.schema.json). `profile save`\n' +
    'writes the current ones: each zone by its name (type/name when the MSR and MMIO copies differ), each value exact.',
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
      ],
      load: () => import('./save.js'),
    },
  ],
};
