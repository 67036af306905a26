import type { CommandSpec } from '../../spec.js';
import { balanceOptions, zoneArgs } from './options.js';

export const balanceSpec: CommandSpec = {
  name: 'balance',
  group: 'write',
  summary: 'keep zones under a power budget, moving it to where it is drawn',
  description:
    'Every period (--interval, 1 s): read each zone\'s power (energy_uj through the wrap-proof sampler, or power_uw),\n' +
    'tell the saturated zones (drawing at least 95 % of their limit) from those with slack, and split the budget:\n' +
    'every zone its minimum, a slack zone its draw and a margin, the rest to the saturated ones by --weight, none\n' +
    'above its maximum. Lowered limits are written before raised ones, so the limits never add up past the budget,\n' +
    'even between two writes; at most one write per zone per period, and none for a change below 2 % of its maximum.\n' +
    'DTPM: leaves only (writing a parent makes the kernel split it by fixed weights). RAPL: the long_term constraint\n' +
    'unless --constraint. A limit changed by another program is reported, and that zone is left alone from then on.\n' +
    'It runs until SIGTERM (exit 0), Ctrl-C (130) or --duration, then writes back the limits it found (--keep leaves\n' +
    'them). On a terminal a live view shows the budget and each zone; --json prints one record per period (NDJSON,\n' +
    'schema/balance.schema.json); otherwise a line per period that wrote. Exit 2 for a budget below the zones\' total\n' +
    'minimum, a zone named twice, a DTPM parent, or a zone with no power reading or no writable limit; 4 without\n' +
    'the permission to write the limits (checked before anything is measured). See docs/balance.md and docs/fleet.md.',
  args: zoneArgs,
  options: balanceOptions,
  source: 'live',
  examples: [
    { command: 'powercapctl sim examples/sim-rk3399-moving.yaml --serve board', description: 'no DTPM here? serve a simulated rk3399 in board/, its demand moving between the clusters and the GPU, until Ctrl-C' },
    { command: 'powercapctl --root board/powercap balance --budget 2.5W --interval 200ms dtpm:0:0:0 dtpm:0:0:1 dtpm:0:0:2', description: 'its three DTPM leaves share 2.5 W, following their demand, until Ctrl-C (--under dtpm:0:0 names them all; on a board: sudo powercapctl balance …)' },
    { command: 'powercapctl --root board/powercap balance --profile examples/profile-balance-rk3399.yaml --duration 1s', description: 'the same from a profile\'s balance: section, as the service persist install writes runs it (docs/profiles.md), for one second' },
    { command: 'sudo powercapctl balance --budget-file budget.yaml --fallback-budget 20W --report report.json intel-rapl:0', description: 'follow the budget a resource manager writes in budget.yaml (20 W until there is one), and report back to it (docs/fleet.md)' },
    { command: 'sudo powercapctl balance --budget 20W --dry-run --duration 2s --json intel-rapl:0', description: 'two seconds of decisions for package 0 under 20 W, nothing written, one NDJSON record a period' },
  ],
  load: () => import('./run.js'),
};
