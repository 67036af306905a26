/**
 * em_cpu_energy(): the energy the scheduler (EAS) expects a performance domain to use
 * for given per-CPU utilisations (kernel.md §4, include/linux/energy_model.h).
 *
 * Current kernels (≥ 6.8): max_util gets 25 % headroom (util + util/4, as schedutil's
 * map_util_perf()), clamped to the CPU capacity; the state is the first *efficient* one whose
 * performance ≥ that; energy = cost × Σutil, with cost = power × 10 / performance.
 * Before 6.8 the state was picked by frequency (f ≥ max_util × fmax / capacity) and
 * energy = cost × Σutil / capacity with cost = power × fmax / f.
 * Both estimates, divided back to µW, are the domain's average power at those utilisations.
 */
import { usageError } from '../errors.js';
import type { PerfState } from './table.js';

export interface StatePick {
  index: number;
  frequencyKhz: number;
  powerUw: number;
  cost: number;
  /** states that met the demand first but were skipped as inefficient */
  skipped: number[];
  /** the kernel's raw figure */
  energy: number;
  /** the same as an average power of the domain, µW */
  estimateUw: number;
}

export interface EnergyEstimate {
  capacity: number;
  utils: number[];
  maxUtil: number;
  /** max_util + max_util/4, clamped to capacity */
  maxUtilHeadroom: number;
  sumUtil: number;
  current: StatePick;
  pre68: StatePick & { targetFrequencyKhz: number };
}

const idiv = (a: number, b: number) => Math.floor(a / b);

/** util + util >> 2: schedutil's 25 % headroom */
export const withHeadroom = (util: number) => util + (util >> 2);

/** First state at or above `meets`, skipping inefficient ones; the last state when none meets it. */
function pick(states: PerfState[], meets: (s: PerfState) => boolean, inefficient: (i: number) => boolean, skipInefficient: boolean) {
  const skipped: number[] = [];
  for (let i = 0; i < states.length; i++) {
    if (!meets(states[i]!)) continue;
    if (skipInefficient && inefficient(i)) { skipped.push(i); continue; }
    return { index: i, skipped };
  }
  return { index: states.length - 1, skipped };
}

export function emCpuEnergy(
  states: PerfState[],
  utils: number[],
  opts: { capacity: number; skipInefficient?: boolean; cpus?: number | null },
): EnergyEstimate {
  const capacity = opts.capacity;
  const skip = opts.skipInefficient ?? true;
  if (states.length === 0) throw usageError('the domain has no states');
  if (utils.length === 0) throw usageError('no utilisation given', 'e.g. --util 300,200,80,0 (one value per CPU, 0 to the capacity)');
  if (opts.cpus != null && utils.length > opts.cpus) {
    throw usageError(`${utils.length} utilisations for a domain of ${opts.cpus} CPUs`, 'give one value per CPU of the domain');
  }
  utils.forEach((u, i) => {
    if (!Number.isInteger(u) || u < 0) throw usageError(`utilisation #${i + 1} '${u}' is not a whole number ≥ 0`);
    if (u > capacity) throw usageError(`utilisation #${i + 1} is ${u}, above the CPU capacity ${capacity}`, `utilisation runs from 0 to the capacity (--capacity, here ${capacity})`);
  });
  const maxUtil = Math.max(...utils);
  const sumUtil = utils.reduce((a, b) => a + b, 0);
  const maxUtilHeadroom = Math.min(withHeadroom(maxUtil), capacity);

  // current: by performance, cost = power × 10 / performance (already in the table)
  const c = pick(states, (s) => s.performance >= maxUtilHeadroom, (i) => states[i]!.inefficient, skip);
  const cs = states[c.index]!;
  const energy = cs.cost * sumUtil;
  const current: StatePick = { index: c.index, frequencyKhz: cs.frequencyKhz, powerUw: cs.powerUw, cost: cs.cost, skipped: c.skipped, energy, estimateUw: idiv(energy, 10) };

  // pre-6.8: by frequency, cost = power × fmax / f, inefficiency from that cost
  const fmax = states[states.length - 1]!.frequencyKhz;
  const oldCost = states.map((s) => idiv(s.powerUw * fmax, s.frequencyKhz));
  const oldIneff: boolean[] = new Array(states.length).fill(false);
  let prev = Infinity;
  for (let i = states.length - 1; i >= 0; i--) {
    if (oldCost[i]! >= prev) oldIneff[i] = true;
    else prev = oldCost[i]!;
  }
  const targetFrequencyKhz = idiv(maxUtilHeadroom * fmax, capacity);
  const o = pick(states, (s) => s.frequencyKhz >= targetFrequencyKhz, (i) => oldIneff[i]!, skip);
  const os = states[o.index]!;
  const oldEnergy = idiv(oldCost[o.index]! * sumUtil, capacity);
  const pre68 = { index: o.index, frequencyKhz: os.frequencyKhz, powerUw: os.powerUw, cost: oldCost[o.index]!, skipped: o.skipped, energy: oldEnergy, estimateUw: oldEnergy, targetFrequencyKhz };
  return { capacity, utils, maxUtil, maxUtilHeadroom, sumUtil, current, pre68 };
}
