/** govern's options as data, apart from its spec (which loads the runner): as balance/options.ts. */
import type { OptionSpec, OptionsOf } from '../../spec.js';
import { dir, gain, power, temperature, text } from '../../option-values.js';
import { loopOptions, profileOption } from '../balance/options.js';
import { THERMAL_ROOT_ENV } from './thermal-root.js';

const options = [
  { flags: '--thermal-zone <name>', description: 'the thermal zone to hold: its type (skin-therm, x86_pkg_temp), thermal_zoneN or N', value: text('thermal zone type or number'),
    required: { hint: 'e.g. --thermal-zone skin-therm (the types: cat /sys/class/thermal/thermal_zone*/type)', unless: ['profile'] } },
  { flags: '--target <temperature>', description: 'the temperature to hold (the kernel\'s control_temp)', value: temperature, required: { hint: 'e.g. --target 45C', unless: ['profile'] } },
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

export const governOptions = [...options, profileOption('govern', options)] as const satisfies readonly OptionSpec[];

export type GovernOptions = OptionsOf<typeof governOptions>;

/** The controller works between the switch-on temperature and the target: the one must be below the other. */
export const switchOnBelowTarget = (switchOnMc: number | undefined, targetMc: number): boolean => switchOnMc === undefined || switchOnMc < targetMc;
