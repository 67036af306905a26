/** What govern decided in one period (governor.ts), as balance's budget source reports it. */
import type { PidStep } from '../kernel/power-allocator.js';

export type GovernorMode = 'maximum' | 'pid' | 'hold';

/** One period of the governor, as it goes into the period record. */
export interface GovernorStep {
  mode: GovernorMode;
  temperatureMc: number | null;
  controlTempMc: number;
  /** the PID's terms (mode pid) */
  pid: PidStep | null;
  /** the budget the PID gives, µW (before the ramp and the minimum) */
  wantedUw: number;
  budgetUw: number;
  /** the budget was held back by the ramp after a target change */
  ramped: boolean;
  /** the budget was raised to the zones' total minimum */
  atMinimum: boolean;
  /** no zone used its budget: an error below the target was not integrated (integral_cutoff taken as 0) */
  integralFrozen: boolean;
}

