/**
 * A CPU leaf of DTPM, as drivers/powercap/dtpm_cpu.c computes it (v5.12 on; read against v6.12): one leaf per
 * cpufreq policy, its numbers from the performance domain's energy-model table and the online
 * CPUs of the domain (nr_cpus).
 */

/** What a leaf knows of its energy model: per-CPU power of each state, and how many CPUs run it. */
export interface LeafTable {
  /** per-CPU power of each state (µW), ascending frequency */
  states: Array<{ frequencyKhz: number; powerUw: number; performance?: number }>;
  /** online CPUs of the performance domain (1 for a devfreq device) */
  nrCpus: number;
}

/** update_pd_power_uw(): min = table[0].power × nr_cpus, max = table[last].power × nr_cpus. */
export function updatePdPowerUw(t: LeafTable): { minUw: number; maxUw: number } {
  if (t.states.length === 0) return { minUw: 0, maxUw: 0 };
  return { minUw: t.states[0]!.powerUw * t.nrCpus, maxUw: t.states[t.states.length - 1]!.powerUw * t.nrCpus };
}

export interface LeafChoice {
  /** index of the state chosen */
  index: number;
  frequencyKhz: number;
  appliedUw: number;
  /** the target was below the lowest state: the kernel would read before its table */
  belowMin: boolean;
}

/**
 * set_pd_power_limit(): walk the states up and stop before the first whose power × nr_cpus
 * exceeds the limit; the policy's max frequency is capped there and the leaf stores
 * table[i].power × nr_cpus. Below the lowest state the kernel indexes table[-1]: here the
 * lowest state, flagged `belowMin` so the caller can say so.
 */
export function setPdPowerLimit(t: LeafTable, limitUw: number): LeafChoice {
  let i = 0;
  while (i < t.states.length && t.states[i]!.powerUw * t.nrCpus <= limitUw) i++;
  const belowMin = i === 0;
  const idx = belowMin ? 0 : i - 1;
  const s = t.states[idx]!;
  return { index: idx, frequencyKhz: s.frequencyKhz, appliedUw: s.powerUw * t.nrCpus, belowMin };
}
