import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { oneOf } from '../../option-values.js';
import { typeOption, zonesArg } from '../zone-filter.js';

const args = [zonesArg] as const satisfies readonly ArgSpec[];

const options = [
  typeOption,
  { flags: '--format <format>', description: 'output format (--json is --format json)', value: oneOf(['table', 'json', 'tsv', 'csv']), defaultValue: 'table', conflicts: { options: ['json'], message: '--format and --json both choose the output: give one (--json is --format json)' } },
] as const satisfies readonly OptionSpec[];

export type ListArgs = ArgsOf<typeof args>;
export type ListOptions = OptionsOf<typeof options>;

export const listSpec: CommandSpec = {
  name: 'list',
  group: 'read',
  summary: 'one row per zone: energy, power, limits, time windows',
  description:
    'List powercap zones with their energy or power reading and every constraint (limit, time window, max).\n' +
    'Filter by zone id, name, type/name or glob. Machine formats give the kernel\'s integers in keys that name the unit.',
  args,
  options,
  examples: [
    { command: 'powercapctl list', description: 'every zone of this machine' },
    { command: "powercapctl list 'package-*' --type intel-rapl", description: 'packages through MSR only' },
    { command: 'powercapctl list --format csv > zones.csv', description: 'raw integers for a spreadsheet' },
    { command: 'powercapctl --snapshot examples/gpu-workstation.json list --type hwmon', description: 'GPUs\' power caps (hwmon), zones beside the CPU\'s (docs/gpu.md)' },
    { command: 'powercapctl --snapshot examples/xeon-2s.json list --json > xeon.json', description: 'a snapshot\'s zones as JSON (schema/list.schema.json)' },
  ],
  load: () => import('./run.js'),
};
