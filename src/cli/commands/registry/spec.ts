import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { coefficient, cpuList, dtPath, file, integer, oneOf, power, text } from '../../option-values.js';

const addArgs = [
  { name: 'name', description: 'device name as its driver registers it (cpu0-cpufreq, ff9a0000.gpu-devfreq)', required: true, complete: 'device' },
] as const satisfies readonly ArgSpec[];

const addOptions = [
  { flags: '--kind <kind>', description: 'device kind', value: oneOf(['cpu', 'devfreq', 'other']), defaultDescription: 'from the name and options' },
  { flags: '--em <domain>', description: 'energy-model domain (directory name under energy_model/)', value: text('energy-model domain', 'domain') },
  { flags: '--em-table <file>', description: 'add the domain from this table file', value: file,
    requires: { options: ['em'], message: '--em-table needs --em DOMAIN (the name of the new domain)' } },
  { flags: '--coefficient <C>', description: 'dynamic-power-coefficient, for a table giving voltages', value: coefficient,
    requires: { options: ['em-table'], message: '--coefficient goes with --em-table' } },
  { flags: '--capacity <n>', description: 'CPU capacity for performance and cost of a new CPU domain', value: integer({ min: 1, max: 1024 }), defaultDescription: '1024',
    requires: { options: ['em-table'], message: '--capacity goes with --em-table (the performance of the new domain\'s states)' } },
  { flags: '--cpus <list>', description: 'CPUs of the domain (0-3,6)', value: cpuList, defaultDescription: "the domain's" },
  { flags: '--online-cpus <list>', description: 'CPUs online (nr_cpus in dtpm_cpu.c)', value: cpuList, defaultDescription: 'all of --cpus' },
  { flags: '--power-min <power>', description: 'lowest power of a device without an energy model (250mW)', value: power, defaultDescription: '0 W',
    requires: { options: ['power-max'], message: '--power-min needs --power-max', hint: 'give both bounds of a device without an energy model' } },
  { flags: '--power-max <power>', description: 'highest power of a device without an energy model (4W)', value: power },
  { flags: '--dt-path <path>', description: 'device-tree path for the kernel table (repeat for each CPU of a cluster)', value: dtPath, repeatable: true },
] as const satisfies readonly OptionSpec[];

const removeArgs = [
  { name: 'name', description: 'device name', required: true, complete: 'device' },
] as const satisfies readonly ArgSpec[];

export type RegistryAddArgs = ArgsOf<typeof addArgs>;
export type RegistryAddOptions = OptionsOf<typeof addOptions>;
export type RegistryRemoveArgs = ArgsOf<typeof removeArgs>;

export const registrySpec: CommandSpec = {
  name: 'registry',
  group: 'setup',
  summary: 'the power devices a DTPM hierarchy is built from (list, add, remove)',
  description:
    'Each device: name, kind (cpu / devfreq / other), its energy-model domain and CPUs, power min/max (table[0] and\n' +
    'table[last] × online CPUs for a CPU domain; the registered bounds for a device without an energy model) and where it\n' +
    'sits in the hierarchy, if anywhere. On a live tree the registry is derived from the DTPM leaves and the energy model;\n' +
    'in a snapshot it is stored and can be edited (add, remove), so that a board not yet booted can be modelled.',
  examples: [
    { command: 'powercapctl --snapshot examples/rk3399-dtpm.json registry', description: 'devices, bounds, placement' },
    { command: 'powercapctl dtpm new board.json && powercapctl --snapshot board.json registry add dmc-devfreq --em dmc --em-table examples/help-dmc.txt', description: 'a new board, a device with a new energy-model table' },
    { command: 'powercapctl --snapshot board.json registry add power-supply-charge --power-min 0.25W --power-max 4W', description: "a device without an energy model ('other')" },
  ],
  load: () => import('./list.js'),
  subcommands: [
    {
      name: 'list',
      group: 'setup',
      summary: 'list the registered devices (the default)',
      examples: [
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json registry list --json', description: 'as JSON' },
        { command: 'sudo powercapctl registry list', description: 'what this machine\'s DTPM leaves and energy model imply' },
      ],
      load: () => import('./list.js'),
    },
    {
      name: 'add',
      group: 'setup',
      summary: 'register a device in a snapshot (names are unique)',
      description:
        'Kind: cpu for cpuN-cpufreq or with --cpus, devfreq with --em, other with --power-min/--power-max, unless --kind says.\n' +
        '--em DOMAIN names an energy-model domain of the snapshot; --em-table FILE adds that domain from a table: JSON\n' +
        '([{"frequencyKhz":408000,"powerUw":27769},…]) or text, one state per line with units (408MHz 27769uW; or 408MHz 825mV\n' +
        'with --coefficient C, power = C×mV²×MHz/1e6). --dt-path records the device-tree path(s) used by the kernel table.\n' +
        'A duplicate name is refused (exit 5); the snapshot is written atomically. It works on a snapshot only: a live\n' +
        'kernel\'s registry is what its drivers register (start a board with `powercapctl dtpm new FILE`).',
      args: addArgs,
      options: addOptions,
      source: 'snapshot',
      examples: [
        { command: 'powercapctl dtpm new board.json && powercapctl --snapshot board.json registry add cpu0-cpufreq --em cpu0 --cpus 0-3 --em-table examples/help-a53.txt --coefficient 100 --capacity 381', description: 'a new board, a CPU domain and its table' },
        { command: 'powercapctl --snapshot board.json registry add cpu4-cpufreq --em cpu4 --em-table examples/help-a72.csv --coefficient 436 --cpus 4-5 --dt-path /cpus/cpu@100 --dt-path /cpus/cpu@101', description: 'the big cluster, with its DT paths' },
      ],
      load: () => import('./add.js'),
    },
    {
      name: 'remove',
      group: 'setup',
      summary: 'unregister a device from a snapshot (refused while it is placed)',
      args: removeArgs,
      source: 'snapshot',
      examples: [
        { command: 'cp examples/rk3399-dtpm.json board.json && powercapctl --snapshot board.json registry add dmc-devfreq --power-min 120mW --power-max 410mW && powercapctl --snapshot board.json registry remove dmc-devfreq', description: 'a device not placed in the hierarchy (exit 5 while it is)' },
        { command: 'powercapctl --snapshot board.json delete-node rk3399/package/ff9a0000.gpu && powercapctl --snapshot board.json registry remove ff9a0000.gpu', description: 'unplace it, then remove it' },
      ],
      load: () => import('./remove.js'),
    },
  ],
};
