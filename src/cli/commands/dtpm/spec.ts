import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { cIdentifier, file, oneOf, outputFile, text } from '../../option-values.js';
import { configfsOption as configfs, dryRunOption } from './shared-spec.js';

const newArgs = [{ name: 'file', description: 'snapshot file to create', required: true, value: outputFile }] as const satisfies readonly ArgSpec[];
const newOptions = [
  { flags: '--hostname <name>', description: 'host name recorded in the snapshot', defaultValue: 'board', value: text('host name') },
  { flags: '--kernel-release <release>', description: 'kernel release recorded', defaultValue: '6.16.0', value: text('kernel release') },
  { flags: '--machine <arch>', description: 'machine recorded', defaultValue: 'aarch64', value: text('machine') },
  { flags: '-d, --description <text>', description: 'a note stored in the snapshot', value: text('note') },
  { flags: '-f, --force', description: 'replace FILE if it exists' },
] as const satisfies readonly OptionSpec[];

const exportOptions = [
  { flags: '--format <format>', description: 'output format', value: oneOf(['json', 'kernel-table']), defaultValue: 'json' },
  { flags: '--table-name <ident>', description: 'C name of the table (with --format kernel-table)', value: cIdentifier, defaultDescription: '<root>_hierarchy' },
  { flags: '-o, --output <file>', description: 'write to FILE (atomically) instead of stdout', value: outputFile },
  configfs('export the hierarchy of a configfs-style directory'),
] as const satisfies readonly OptionSpec[];

const importArgs = [{ name: 'file', description: 'description file (from dtpm export, or a kernel table)', required: true, value: file }] as const satisfies readonly ArgSpec[];
const importOptions = [
  { flags: '--replace', description: 'replace the existing hierarchy' },
  configfs('build it in a configfs-style directory (mkdir)'),
  dryRunOption,
] as const satisfies readonly OptionSpec[];

const checkArgs = [{ name: 'file', description: 'a description file to check instead of the source', value: file }] as const satisfies readonly ArgSpec[];
const checkOptions = [configfs('check a configfs-style directory')] as const satisfies readonly OptionSpec[];

export type DtpmNewArgs = ArgsOf<typeof newArgs>;
export type DtpmNewOptions = OptionsOf<typeof newOptions>;
export type DtpmExportOptions = OptionsOf<typeof exportOptions>;
export type DtpmImportArgs = ArgsOf<typeof importArgs>;
export type DtpmImportOptions = OptionsOf<typeof importOptions>;
export type DtpmCheckArgs = ArgsOf<typeof checkArgs>;
export type DtpmCheckOptions = OptionsOf<typeof checkOptions>;

export const dtpmSpec: CommandSpec = {
  name: 'dtpm',
  group: 'setup',
  summary: 'DTPM hierarchies: new board snapshots, import/export of descriptions, checks',
  description:
    'A DTPM hierarchy lives in a snapshot (the dtpm zones), in a configfs-style directory (--configfs DIR), or on a live\n' +
    'kernel, which builds it at boot from a per-SoC table. These subcommands create an empty snapshot for a board not yet\n' +
    'booted, write a hierarchy out as JSON or as that kernel table, read one back, and check one.',
  examples: [
    { command: 'powercapctl dtpm new board.json --hostname myboard', description: 'an empty snapshot to model a board' },
    { command: 'powercapctl --snapshot examples/rk3399-dtpm.json dtpm export --format kernel-table', description: 'the C table for drivers/soc/…/dtpm.c' },
    { command: 'powercapctl --snapshot examples/rk3399-dtpm.json dtpm check --json > findings.json || echo "findings: exit $?"', description: 'exit 1 when something is wrong' },
  ],
  subcommands: [
    {
      name: 'new',
      group: 'setup',
      summary: 'create an empty snapshot (no zones, no registry) to model a board, atomically',
      args: newArgs,
      options: newOptions,
      examples: [
        { command: 'powercapctl dtpm new board.json --hostname myboard', description: 'start a model' },
        { command: 'powercapctl dtpm new board.json --force -d "rev B, PMIC limits"', description: 'start over, with a note' },
      ],
      load: () => import('./new.js'),
    },
    {
      name: 'export',
      group: 'setup',
      summary: 'write the hierarchy as a JSON description or as the kernel per-SoC table',
      description:
        'json: nodes with id, name, type (virtual | device) and parent, plus informational bounds and weights (import ignores\n' +
        'them). kernel-table: the dtpm_node array of drivers/soc/rockchip/dtpm.c, DT nodes named by their device-tree path\n' +
        '(recorded with registry add --dt-path, else derived from the name: a warning says which).',
      options: exportOptions,
      examples: [
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json dtpm export -o board-dtpm.json', description: 'save a description' },
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json dtpm export --format kernel-table', description: 'the hierarchy as the kernel table (drivers/soc/…/dtpm.c)' },
      ],
      load: () => import('./export.js'),
    },
    {
      name: 'import',
      group: 'setup',
      summary: 'build the hierarchy a description file gives (JSON or kernel table)',
      description:
        'Every device must be registered (exit 3). An unknown parent, a cycle or a malformed file is refused with exit 6,\n' +
        'a second root or a device placed twice with exit 5. An existing hierarchy is replaced only with --replace.',
      args: importArgs,
      options: importOptions,
      examples: [
        { command: 'cp examples/rk3399-dtpm.json board.json && powercapctl --snapshot board.json dtpm import --replace examples/help-dtpm.json', description: 'into a snapshot (its registry holds the devices)' },
        { command: 'powercapctl --snapshot board.json dtpm import --replace examples/help-dtpm.c', description: 'from a kernel table' },
      ],
      load: () => import('./import.js'),
    },
    {
      name: 'check',
      group: 'setup',
      summary: 'check a hierarchy: empty virtual nodes, shares below minimum, missing energy models, limits above the parent',
      description:
        'Checks the source (snapshot, live tree or --configfs DIR), or a description FILE against the source\'s registry.\n' +
        'Findings: empty-virtual, share-below-min (the dtpm_cpu.c defect), no-energy-model, limits-above-parent, structure.\n' +
        'Exit status: 0 when there is nothing to report, 1 when there are findings (printed on stdout).',
      args: checkArgs,
      options: checkOptions,
      examples: [
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json dtpm check || echo "findings: exit $?"', description: 'exit 1 with findings' },
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json dtpm check examples/help-dtpm.json --json > findings.json || echo "findings: exit $?"', description: 'a description, as JSON' },
      ],
      load: () => import('./report-findings.js'),
    },
  ],
};
