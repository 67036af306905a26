import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { dir, file, listOf, oneOf, outputFile } from '../../option-values.js';

export const POLICIES = ['static', 'balance', 'govern'] as const;

const args = [
  { name: 'scenario', description: 'scenario file (YAML or JSON, schema/sim-scenario.schema.json)', required: true, complete: 'file', value: file },
] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '-p, --policy <names>', description: 'run these policies on the same plant and workload, side by side (static: the kernel\'s own split)', defaultDescription: 'the scenario\'s policy', value: listOf(oneOf(POLICIES), 'policies') },
  { flags: '--svg <file>', description: 'plot power, limits and temperature over time into FILE (a standalone SVG)', value: outputFile },
  { flags: '--serve <dir>', description: 'run the plant in real time in DIR (DIR/powercap, DIR/thermal, DIR/trace.ndjson) for the commands to run against, until SIGTERM or Ctrl-C', value: dir,
    conflicts: { options: ['policy', 'svg'], message: '--serve runs the plant for another process to drive: --policy and --svg are for a simulated run' } },
] as const satisfies readonly OptionSpec[];

export type SimArgs = ArgsOf<typeof args>;
export type SimOptions = OptionsOf<typeof options>;

export const simSpec: CommandSpec = {
  name: 'sim',
  group: 'model',
  summary: 'try balance, govern or the kernel\'s static split on a simulated plant',
  description:
    'A closed loop on a virtual clock: the scenario\'s zones (from a snapshot, or declared) draw their demand up to\n' +
    'their limit, publish power_uw or wrapping energy_uj every 20 ms, and warm an RC thermal model; the policy reads\n' +
    'and writes them as the real command would, with the same code (balance, govern), or the kernel\'s static split\n' +
    'is written once (static). It prints the figures: the energy delivered against the ideal (at every instant the\n' +
    'budget or the zones\' demand, whichever is less), the peak power against the budget, the periods over it, the\n' +
    'writes, DTPM parent writes, and with a thermal model the peak and mean error of the temperature. Deterministic.\n' +
    '--serve runs the plant in real time in real files instead, so balance and govern can run against it as separate\n' +
    'processes (--root DIR/powercap, --thermal-root DIR/thermal); its trace (DIR/trace.ndjson) has a line per step.\n' +
    'A mistake in the scenario is one line, FILE:LINE: KEY: what is wrong: exit 6 for its shape, 2 for a value, 3\n' +
    'for a file it names that does not exist. See docs/balance.md "Scenarios".',
  args,
  options,
  examples: [
    { command: 'powercapctl sim examples/sim-rk3399-moving.yaml --policy static,balance', description: 'rk3399 under 2.5 W with moving demand: the kernel\'s split against balance' },
    { command: 'powercapctl sim examples/sim-rk3399-govern.yaml --svg govern.svg', description: 'hold 45 °C, and plot power, limits and temperature' },
    { command: 'powercapctl sim examples/sim-xeon-2s.yaml --json', description: 'the figures as JSON (schema/sim.schema.json)' },
    { command: 'powercapctl sim examples/sim-rk3399-moving.yaml --serve board', description: 'serve the plant in board/ for `powercapctl --root board/powercap balance …`, until Ctrl-C (tmpfs, such as /dev/shm/board, spares a disk)' },
  ],
  load: () => import('./run.js'),
};
