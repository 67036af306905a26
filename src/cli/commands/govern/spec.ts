import type { CommandSpec } from '../../spec.js';
import { zoneArgs } from '../balance/options.js';
import { governOptions } from './options.js';

export const governSpec: CommandSpec = {
  name: 'govern',
  group: 'write',
  summary: 'hold a temperature by driving the budget balance splits among the zones',
  description:
    'Every period: read the thermal zone\'s temperature, and set the zones\' budget with the thermal power\n' +
    'allocator\'s controller (drivers/thermal/gov_power_allocator.c): budget = sustainable power + k_p·error + integral\n' +
    '+ k_d·Δerror, k_po while over the target and k_pu while under it, the integral only near the target and clamped,\n' +
    'the gains estimated as the kernel does unless given. Below --switch-on the zones get their maximum. The budget is\n' +
    'the power the zones may draw, split among them as balance splits a budget (docs/balance.md). Thermal zones are\n' +
    'read from --thermal-root, temperatures in m°C as the kernel gives them. It runs until SIGTERM (exit 0), Ctrl-C\n' +
    '(130) or --duration, then writes back the limits it found (--keep leaves them). Exit 3 for a thermal zone that\n' +
    'does not exist, 2 for a target at or below the ambient temperature (the zone\'s temperature at the start unless\n' +
    '--ambient), and the errors of balance.',
  args: zoneArgs,
  options: governOptions,
  source: 'live',
  examples: [
    { command: 'powercapctl sim examples/sim-rk3399-govern.yaml --serve board', description: 'serve a simulated rk3399 whose skin warms toward 25 °C + 10 °C/W × its power (board/powercap, board/thermal), until Ctrl-C' },
    { command: 'powercapctl --root board/powercap govern --thermal-root board/thermal --thermal-zone skin-therm --target 45C --sustainable-power 2W --under dtpm:0:0', description: 'hold its skin at 45 °C by limiting the clusters and the GPU, until Ctrl-C (on a board: sudo powercapctl govern --thermal-zone skin-therm …)' },
    { command: 'powercapctl --root board/powercap govern --thermal-root board/thermal --thermal-zone 0 --target 45C --switch-on 35C --integral-cutoff 0C --duration 3s --json --under dtpm:0:0', description: 'three seconds with the kernel\'s own integral rule and full power below 35 °C, one NDJSON record a period' },
  ],
  load: () => import('./run.js'),
};
