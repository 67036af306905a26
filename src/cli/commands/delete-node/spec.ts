import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { configfsOption, dryRunOption, nodePathArg } from '../dtpm/shared-spec.js';

const args = [nodePathArg] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '-r, --recursive', description: 'delete the node and everything under it' },
  configfsOption('work on a configfs-style directory (rmdir) instead of the snapshot'),
  dryRunOption,
] as const satisfies readonly OptionSpec[];

export type DeleteNodeArgs = ArgsOf<typeof args>;
export type DeleteNodeOptions = OptionsOf<typeof options>;

export const deleteNodeSpec: CommandSpec = {
  name: 'delete-node',
  group: 'write',
  summary: 'remove a node from a DTPM hierarchy (its device goes back to the registry)',
  description:
    'PATH names the node from the root. A node with children is refused (exit 5) unless -r deletes the whole subtree.\n' +
    'Deleting a device node returns the device to the registry, free to be placed elsewhere. Bounds and weights of what\n' +
    'remains are recomputed; the checks of `dtpm check` run afterwards and print warnings.',
  args,
  options,
  examples: [
    { command: 'cp examples/rk3399-dtpm.json board.json && powercapctl --snapshot board.json delete-node rk3399/package/ff9a0000.gpu', description: 'unplace a device (it goes back to the registry)' },
    { command: 'powercapctl --snapshot board.json delete-node -r rk3399/package', description: 'a subtree' },
  ],
  load: () => import('./run.js'),
};
