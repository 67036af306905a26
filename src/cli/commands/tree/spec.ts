import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { controlType, zone } from '../../option-values.js';

const args = [{ name: 'zone', description: 'show only the subtree under this zone (id, name or type/name)', value: zone }] as const satisfies readonly ArgSpec[];
const options = [{ flags: '-t, --type <type>', description: 'only this control type', value: controlType }] as const satisfies readonly OptionSpec[];

export type TreeArgs = ArgsOf<typeof args>;
export type TreeOptions = OptionsOf<typeof options>;

export const treeSpec: CommandSpec = {
  name: 'tree',
  group: 'read',
  summary: 'the zone hierarchy, with power, limits and DTPM weights',
  description:
    'Draw the hierarchy of control types and zones, one line per zone: name, id, energy or power, the main limit and its max.\n' +
    'DTPM nodes also show their range (min–max), weight on the 1024 scale, and for leaves the frequency cap their limit implies;\n' +
    'virtual nodes show the sums of their children, as the kernel computes them.',
  args,
  options,
  examples: [
    { command: 'powercapctl tree', description: 'this machine' },
    { command: 'powercapctl --snapshot examples/rk3399-dtpm.json tree', description: 'a DTPM board, with weights and caps' },
    { command: 'powercapctl tree intel-rapl:0 --json', description: 'one subtree, nested JSON' },
  ],
  load: () => import('./run.js'),
};
