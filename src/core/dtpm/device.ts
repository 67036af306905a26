/**
 * A power device a driver registered for DTPM (seed 000): the leaves a hierarchy is built
 * from. Snapshots record them (`dtpm.registry`); on a live tree they are inferred from the
 * leaves' names and the energy model (fromTree.ts).
 */
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
  [extra: string]: unknown;
}
