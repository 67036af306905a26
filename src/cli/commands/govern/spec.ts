import type { CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { dir, gain, power, temperature, text } from '../../option-values.js';
import { loopOptions, zoneArgs } from '../balance/spec.js';
import { THERMAL_ROOT_ENV } from './thermal-root.js';

const options = [
  { flags: '--thermal-zone <name>', description: 'the thermal zone to hold: its type (skin-therm, x86_pkg_temp), thermal_zoneN or N', value: text('thermal zone type or number'),
    required: { hint: 'e.g. --thermal-zone skin-therm (the types: cat /sys/class/thermal/thermal_zone*/type)' } },
  { flags: '--target <temperature>', description: 'the temperature to hold (the kernel\'s control_temp)', value: temperature, required: { hint: 'e.g. --target 45C' } },
  { flags: '--thermal-root <dir>', description: 'thermal zones folder (env POWERCAPCTL_THERMAL_ROOT)', defaultDescription: '/sys/class/thermal', value: dir, env: THERMAL_ROOT_ENV },
  { flags: '--sustainable-power <power>', description: 'the power the device dissipates at the target, feed-forward of the controller', defaultDescription: 'the zones\' total minimum, as the kernel estimates it', value: power },
  { flags: '--switch-on <temperature>', description: 'below it the zones get their maximum and the controller resets; the gains are set from target − switch-on', value: temperature },
  { flags: '--ambient <temperature>', description: 'the temperature with no load, for the check that the target is above it', defaultDescription: 'the thermal zone\'s temperature at the start', value: temperature },
  { flags: '--k-po <gain>', description: 'proportional gain while over the target (Q10: 1024 = 1 mW per m°C)', defaultDescription: 'sustainable power × 1024 / (target − switch-on)', value: gain },
  { flags: '--k-pu <gain>', description: 'proportional gain while under the target (Q10)', defaultDescription: 'twice k_po', value: gain },
  { flags: '--k-i <gain>', description: 'integral gain (Q10)', defaultDescription: 'k_pu / 10, at least 1', value: gain },
  { flags: '--k-d <gain>', description: 'derivative gain (Q10)', defaultDescription: '0', value: gain },
  { flags: '--integral-cutoff <temperature>', description: 'the error is integrated only while the temperature is above target − cutoff (0C: only over the target, as the kernel)', defaultDescription: '1C', value: temperature },
  ...loopOptions,
] as const satisfies readonly OptionSpec[];

export type GovernOptions = OptionsOf<typeof options>;

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
  options,
  source: 'live',
  examples: [
    { command: 'powercapctl sim examples/sim-rk3399-govern.yaml --serve board', description: 'serve a simulated rk3399 whose skin warms toward 25 °C + 10 °C/W × its power (board/powercap, board/thermal), until Ctrl-C' },
    { command: 'powercapctl --root board/powercap govern --thermal-root board/thermal --thermal-zone skin-therm --target 45C --sustainable-power 2W --under dtpm:0:0', description: 'hold its skin at 45 °C by limiting the clusters and the GPU, until Ctrl-C (on a board: sudo powercapctl govern --thermal-zone skin-therm …)' },
    { command: 'powercapctl --root board/powercap govern --thermal-root board/thermal --thermal-zone 0 --target 45C --switch-on 35C --integral-cutoff 0C --duration 3s --json --under dtpm:0:0', description: 'three seconds with the kernel\'s own integral rule and full power below 35 °C, one NDJSON record a period' },
  ],
  load: () => import('./run.js'),
};
