/**
 * The cpufreq cooling device's dynamic power (drivers/thermal/cpufreq_cooling.c,
 * get_dynamic_power(), read against v6.12): the raw power of the OPP × load / 100, in mW. The raw
 * power is cpu_freq_to_power(): in v6.12 the energy model's (µW / 1000), in the seed's model
 * C × f(MHz) × V(mV)² / 1e9 (the same C·V²·f as kernel/opp.ts, which builds a DT energy model):
 *   P_dyn = C × f(MHz) × V(mV)² / 1e9 × load     (mW; load = Σ per-CPU load %, / 100)
 * µW figures use the same integer steps with the 6.0 divisor (1e6), as the energy model does.
 */
import { usageError } from '../errors.js';
import { oppPowerMwPre60, oppPowerUw } from './opp.js';

export interface DynamicPower {
  /** one CPU fully busy at this OPP */
  rawUw: number;
  rawMw: number;
  /** Σ per-CPU load, percent (400 = four CPUs fully busy) */
  totalLoadPct: number;
  dynamicUw: number;
  /** what the old cooling device computed: (raw mW × load) / 100 */
  dynamicMw: number;
}

/** loadsBp: per-CPU load in hundredths of a percent (6000 = 60 %). */
export function dynamicPower(coefficient: number, frequencyKhz: number, voltageUv: number, loadsBp: number[]): DynamicPower {
  if (!(coefficient > 0)) throw usageError(`coefficient ${coefficient} must be above 0`, 'the dynamic-power-coefficient of the device tree is above 0 (436 for a Cortex-A72)');
  const rawUw = oppPowerUw(coefficient, voltageUv, frequencyKhz);
  const rawMw = oppPowerMwPre60(coefficient, voltageUv, frequencyKhz);
  const total = loadsBp.reduce((a, b) => a + b, 0);
  return {
    rawUw, rawMw, totalLoadPct: total / 100,
    dynamicUw: Math.floor((rawUw * total) / 10000),
    dynamicMw: Math.floor((rawMw * total) / 10000),
  };
}
