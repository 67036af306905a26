/**
 * CPU capacity as drivers/base/arch_topology.c derives it from the device tree
 * (topology_parse_cpu_capacity, init_cpu_capacity_callback, topology_normalize_cpu_scale;
 * read against v6.1 and v6.12):
 * - raw capacity = `capacity-dmips-mhz` of each CPU node; if one CPU lacks it while others have
 *   it, the kernel falls back to 1024 for all ("partial information"), and with none at all every
 *   CPU stays at 1024;
 * - each CPU's reference frequency is its cpufreq policy's cpuinfo.max_freq (the highest OPP that
 *   is not a boost/turbo OPP); v6.12 keeps it in kHz (capacity_freq_ref), v6.1 in MHz
 *   (freq_factor = max_freq / 1000): the unit changed in between (we take v6.8, when
 *   capacity_freq_ref replaced freq_factor; that boundary was not read, only the two ends);
 * - capacity = (raw × freq) << 10 / max over all CPUs of (raw × freq), integer division;
 * - that normalisation runs once every possible CPU has been in a cpufreq policy (cpus_to_visit
 *   empty); while one CPU has none (no OPP table), the boot-time normalisation of parse_dt_topology()
 *   stays, whose reference is 1 for a CPU node without a clock (a clock's rate at boot is not in the
 *   tree, so we take 1 for all): capacity = raw << 10 / max raw.
 * rk3399: A53 485 × 1416 MHz, A72 1024 × 1800 MHz → (686760 << 10) / 1843200 = 381.
 */

export interface CpuCapacityInput {
  /** capacity-dmips-mhz, null when the node has none */
  dmipsMhz: number | null;
  /** the policy's maximum (non-turbo) frequency, kHz; null when the CPU has no OPP table */
  maxFreqKhz: number | null;
}

export interface CpuCapacity {
  capacity: number;
  /**
   * why: 'dmips' (normalised with the maximum frequencies), 'default' (no capacity-dmips-mhz
   * anywhere), 'partial' (some CPUs lack it), 'boot' (some CPU has no cpufreq: capacity-dmips-mhz alone)
   */
  origin: 'dmips' | 'default' | 'partial' | 'boot';
}

export const SCHED_CAPACITY_SCALE = 1024;

/** topology_normalize_cpu_scale() over every CPU; `kernel` [major, minor] picks the frequency unit. */
export function normalizeCpuCapacities(cpus: readonly CpuCapacityInput[], kernel: readonly [number, number] = [6, 12]): CpuCapacity[] {
  const withDmips = cpus.filter((c) => c.dmipsMhz !== null).length;
  if (withDmips === 0) return cpus.map(() => ({ capacity: SCHED_CAPACITY_SCALE, origin: 'default' }));
  if (withDmips < cpus.length) return cpus.map(() => ({ capacity: SCHED_CAPACITY_SCALE, origin: 'partial' }));
  const khzUnit = kernel[0] > 6 || (kernel[0] === 6 && kernel[1] >= 8);
  // init_cpu_capacity_callback() never completes while a CPU has no policy: the boot-time values stay
  const atBoot = cpus.some((c) => c.maxFreqKhz === null);
  const freqRef = (c: CpuCapacityInput) => {
    if (atBoot) return 1n;
    return khzUnit ? BigInt(c.maxFreqKhz!) : BigInt(Math.floor(c.maxFreqKhz! / 1000));
  };
  const raw = cpus.map((c) => BigInt(c.dmipsMhz!) * freqRef(c));
  let scale = 1n;
  for (const r of raw) if (r > scale) scale = r;
  return raw.map((r) => ({ capacity: Number((r << 10n) / scale), origin: atBoot ? 'boot' : 'dmips' }));
}
