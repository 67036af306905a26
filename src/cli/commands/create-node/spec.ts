import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { configfsOption, dryRunOption, nodePathArg } from '../dtpm/shared-spec.js';

const args = [nodePathArg] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '-p, --parents', description: 'create missing parents as virtual nodes (like mkdir -p)' },
  { flags: '--device', description: 'the last name must be a registered device (exit 3 if not)', conflicts: { options: ['virtual'], message: '--device and --virtual exclude each other' } },
  { flags: '--virtual', description: 'make a virtual node on purpose, even under a name that looks like a device; the last name must not be a registered device (exit 5 if it is)' },
  configfsOption('work on a configfs-style directory (mkdir) instead of the snapshot'),
  dryRunOption,
] as const satisfies readonly OptionSpec[];

export type CreateNodeArgs = ArgsOf<typeof args>;
export type CreateNodeOptions = OptionsOf<typeof options>;

export const createNodeSpec: CommandSpec = {
  name: 'create-node',
  group: 'write',
  summary: 'add a node to a DTPM hierarchy by name (a registered device, or a virtual node)',
  description:
    'PATH names the node from the root: soc/package/cluster0/cpu0-cpufreq. A last name found in the registry of power\n' +
    'devices (powercapctl registry) becomes that device (a device sits in one place); any other name a virtual node whose\n' +
    'power is the sum of its children. The parent must exist (-p creates missing virtual parents). Refused: a child under\n' +
    'a device, a second root, an existing path (exit 5); a bad name (letters, digits and . - _ @ : + , only) or a name\n' +
    'that looks like a device (cpuN-cpufreq, *.gpu, *-devfreq) but is not registered, unless --virtual (exit 2); a\n' +
    'missing parent (exit 3).\n' +
    'On a snapshot the zones, bounds and weights are rewritten as the kernel computes them; with --configfs DIR the node is\n' +
    'made with mkdir there. A live kernel builds its hierarchy at boot: see `dtpm export --format kernel-table`.\n' +
    'The checks of `dtpm check` run afterwards and print warnings.',
  args,
  options,
  examples: [
    { command: 'powercapctl dtpm new board.json && powercapctl --snapshot board.json registry add cpu0-cpufreq --em cpu0 --cpus 0-3 --em-table examples/help-a53.txt --coefficient 100 && powercapctl --snapshot board.json create-node -p soc/package/cluster0/cpu0-cpufreq', description: 'a new board: a device under three new virtual nodes' },
    { command: 'powercapctl --snapshot board.json create-node soc/battery', description: 'one virtual node' },
    { command: 'mkdir -p cfg && powercapctl create-node --configfs cfg -p soc/cluster0', description: 'mkdir in a configfs-like folder (a kernel carrying the DTPM configfs patch mounts one at /sys/kernel/config/dtpm)' },
  ],
  load: () => import('./run.js'),
};
