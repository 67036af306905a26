/**
 * A power device a driver registered for DTPM (seed 000): the leaves a hierarchy is built
 * from. Snapshots record them (`dtpm.registry`); on a live tree they are inferred from the
 * leaves' names and the energy model (inferRegistryEntry below).
 */
import type { PerfDomain } from '../em/debugfs.js';
import type { LeafTable } from '../kernel/dtpm-cpu.js';

export interface RegistryEntry {
  name: string;
  kind: 'cpu' | 'devfreq' | 'other';
  /** the energy-model performance domain (directory name under energy_model/), if any */
  domain?: string | null;
  /** CPUs of the performance domain */
  cpus?: number[] | null;
  /** CPUs online when captured (nr_cpus in dtpm_cpu.c); defaults to cpus */
  onlineCpus?: number[] | null;
  /** power bounds for a device without an energy model */
  powerMinUw?: number | null;
  powerMaxUw?: number | null;
  /** the device's power_uw when its node was last removed (the reading is the device's, ops->get_power_uw) */
  powerUw?: number;
  [extra: string]: unknown;
}

/** The registry entry a live tree implies for a device name, when the energy model knows it. */
export function inferRegistryEntry(name: string, domains: PerfDomain[]): RegistryEntry | null {
  const cpu = /^cpu([0-9]+)-cpufreq$/.exec(name);
  if (cpu) {
    const d = domains.find((x) => x.name === `cpu${cpu[1]}`) ?? domains.find((x) => x.cpus?.includes(Number(cpu[1])));
    return d ? { name, kind: 'cpu', domain: d.name, cpus: d.cpus, onlineCpus: null } : null;
  }
  const base = name.replace(/-devfreq$/, '');
  const d = domains.find((x) => x.name === name || x.name === base);
  return d ? { name, kind: 'devfreq', domain: d.name, cpus: null } : null;
}

/** The energy-model table and CPU count a registered device's DTPM leaf uses. */
export function leafTableFor(entry: RegistryEntry, domains: PerfDomain[]): LeafTable | null {
  if (!entry.domain) return null;
  const d = domains.find((x) => x.name === entry.domain);
  if (!d || d.states.length === 0) return null;
  // pre-6.0 kernels in mW: dtpm_cpu.c scales to µW
  const scale = d.microwatts ? 1 : 1000;
  const nrCpus = entry.kind === 'cpu' ? (entry.onlineCpus ?? entry.cpus ?? d.cpus ?? [0]).length : 1;
  return {
    nrCpus: Math.max(nrCpus, 1),
    states: d.states.map((s) => ({ frequencyKhz: s.frequencyKhz, powerUw: s.powerUw * scale, performance: s.performance })),
  };
}
