import type { CommandSpec } from '../../spec.js';

export const deleteNodeSpec: CommandSpec = {
  name: 'delete-node',
  group: 'write',
  summary: 'remove a node from a DTPM hierarchy (its device goes back to the registry)',
  description:
    'PATH names the node from the root. A node with children is refused (exit 5) unless -r deletes the whole subtree.\n' +
    'Deleting a device node returns the device to the registry, free to be placed elsewhere. Bounds and weights of what\n' +
    'remains are recomputed; the checks of `dtpm check` run afterwards and print warnings.',
  args: [{ name: 'path', description: 'node path, names separated by /', required: true, complete: 'dtpm-node' }],
  options: [
    { flags: '-r, --recursive', description: 'delete the node and everything under it' },
    { flags: '--configfs <dir>', description: 'work on a configfs-style directory (rmdir) instead of the snapshot', complete: 'dir' },
    { flags: '-n, --dry-run', description: 'check and show the result, change nothing' },
  ],
  examples: [
    { command: 'cp examples/rk3399-dtpm.json board.json && powercapctl --snapshot board.json delete-node rk3399/package/ff9a0000.gpu', description: 'unplace a device (it goes back to the registry)' },
    { command: 'powercapctl --snapshot board.json delete-node -r rk3399/package', description: 'a subtree' },
  ],
  load: () => import('./run.js'),
};
