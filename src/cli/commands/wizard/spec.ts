import type { ArgsOf, ArgSpec, CommandSpec } from '../../spec.js';
import { oneOf } from '../../option-values.js';

const args = [
  { name: 'task', description: 'skip the first question: limit (cap a zone) or dtpm (build a hierarchy)', value: oneOf(['limit', 'dtpm']) },
] as const satisfies readonly ArgSpec[];

export type WizardArgs = ArgsOf<typeof args>;

export const wizardSpec: CommandSpec = {
  name: 'wizard',
  group: 'setup',
  summary: 'interactive: cap a zone, or build a DTPM hierarchy on a snapshot, step by step',
  description:
    'Walks you through (a) capping a zone: pick the zone from a list showing names, readings and limits, pick the\n' +
    'constraint, type a power (checked as you type, with the same parser and bounds as set-limit) and optionally a time\n' +
    'window, see old → new, confirm; the change is applied as set-limit applies it (read back, rolled back on failure);\n' +
    'or (b) building a DTPM hierarchy on a snapshot: add virtual nodes and place registered devices under them, seeing\n' +
    'the aggregated min/max and weights as it grows, then save it to the snapshot or export a description.\n\n' +
    'It ends by printing the equivalent non-interactive command lines. Ctrl-C at any prompt changes nothing and exits\n' +
    '130. It needs a terminal: without one it exits 2 and names the commands to use instead (set-limit, create-node).',
  args,
  examples: [
    { command: 'sudo powercapctl wizard', description: 'choose what to do, on this machine' },
    { command: 'cp examples/intel-laptop.json laptop.json && powercapctl --snapshot laptop.json wizard limit', description: 'rehearse a cap on a snapshot copy' },
    { command: 'cp examples/rk3399-dtpm.json board.json && powercapctl --snapshot board.json wizard dtpm', description: 'build a DTPM hierarchy on a board snapshot' },
  ],
  load: () => import('./run.js'),
};
