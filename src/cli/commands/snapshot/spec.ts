import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { file, outputFile, text } from '../../option-values.js';

const saveArgs = [{ name: 'file', description: 'snapshot file to write', required: true, value: outputFile }] as const satisfies readonly ArgSpec[];
const saveOptions = [
  { flags: '-f, --force', description: 'replace FILE if it exists' },
  { flags: '-d, --description <text>', description: 'a note stored in the snapshot', value: text('description') },
] as const satisfies readonly OptionSpec[];
const checkArgs = [{ name: 'file', description: 'snapshot file', required: true, value: file }] as const satisfies readonly ArgSpec[];

export type SnapshotSaveArgs = ArgsOf<typeof saveArgs>;
export type SnapshotSaveOptions = OptionsOf<typeof saveOptions>;
export type SnapshotCheckArgs = ArgsOf<typeof checkArgs>;

export const snapshotSpec: CommandSpec = {
  name: 'snapshot',
  group: 'setup',
  summary: 'save the live tree to a snapshot file, or check one',
  description:
    'A snapshot records every powercap attribute (raw text or the errno reading gave), the energy model and the DTPM\n' +
    'registry, so that `--snapshot FILE` reads exactly like the live tree did. Writing commands on a snapshot update it\n' +
    'through an emulated kernel. The format is described by schema/snapshot.schema.json.',
  examples: [
    { command: 'sudo powercapctl snapshot save laptop.json', description: 'capture this machine (root can read energy_uj)' },
    { command: 'powercapctl --snapshot laptop.json list', description: 'read it back anywhere' },
    { command: 'powercapctl snapshot check laptop.json', description: 'validate a file (exit 6 when invalid)' },
  ],
  subcommands: [
    {
      name: 'save',
      group: 'setup',
      summary: 'capture the live tree (and energy model) into FILE, atomically',
      description: 'Capture the live tree (--root, default /sys/class/powercap) and the energy model into FILE, atomically.\n' +
        'It reads a live tree only: to copy a snapshot, copy its file.',
      source: 'live',
      args: saveArgs,
      options: saveOptions,
      examples: [
        { command: 'sudo powercapctl snapshot save host.json', description: 'capture /sys/class/powercap and the energy model' },
        { command: 'powercapctl snapshot save host.json -f -d "before the BIOS update"', description: 'replace it, with a note (energy_uj reads as EACCES without root: kept as such)' },
      ],
      load: () => import('./save.js'),
    },
    {
      name: 'check',
      group: 'setup',
      summary: 'validate a snapshot file against the schema',
      args: checkArgs,
      examples: [
        { command: 'powercapctl snapshot check examples/intel-laptop.json && echo ok', description: 'exit 0 when valid, 6 when not' },
        { command: 'powercapctl snapshot check examples/rk3399-dtpm.json --json', description: 'what a snapshot holds: host, zones, energy model, registry' },
      ],
      load: () => import('./check.js'),
    },
  ],
};
