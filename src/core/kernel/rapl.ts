/**
 * RAPL register quantisation, as drivers/powercap/intel_rapl_common.c does it (v5.3 onwards;
 * intel_rapl.c before). The emulated kernel behind snapshots stores what these return, and
 * set-limit explains a read-back that differs from the request with them. Units are those of
 * MSR_RAPL_POWER_UNIT on nearly every part: power 1/8 W (PU = 3), time 1/1024 s (TU = 10);
 * TPMI reads its own unit register with the same fields (rapl_check_unit_tpmi), taken here to
 * hold the same units.
 */
export const RAPL_POWER_UNIT_UW = 125_000n; // 1_000_000 >> 3
export const RAPL_TIME_UNIT_US = 976n; // 1_000_000 / (1 << 10), integer division as the driver does

/**
 * The register layout a package's limits are written through (intel_rapl_common.c, rapl_config):
 * `msr` for the MSR driver (intel_rapl_msr.c) and for the MMIO one, which shares its layout
 * (processor_thermal_rapl.c); `tpmi` for intel_rapl_tpmi.c. The TPMI driver registers under the
 * MSR driver's control type name, `intel-rapl`, so the name alone does not tell them apart.
 */
export type RaplInterface = 'msr' | 'tpmi';

/** rpi_msr: POWER_LIMIT1_MASK and POWER_LIMIT2_MASK (shifted) are 15 bits */
export const MSR_POWER_LIMIT_MASK = 0x7fffn;
/** rpi_msr: POWER_LIMIT4_MASK is 13 bits (PL4 has a register of its own, MSR_VR_CURRENT_CONFIG) */
export const MSR_POWER_LIMIT4_MASK = 0x1fffn;
/** rpi_tpmi: TPMI_POWER_LIMIT_MASK is 18 bits, for PL1, PL2 and PL4 alike */
export const TPMI_POWER_LIMIT_MASK = 0x3ffffn;

/**
 * The limit field a constraint is written to (rapl_write_data_raw: `bits &= rpi->mask`): PL4
 * (`peak_power`) has 13 bits through MSR, every limit 18 bits through TPMI, the rest 15 bits.
 * The constraint is known by its name (pl_names: long_term, short_term, peak_power); an unnamed
 * one is taken as PL1/PL2. (Sapphire and Emerald Rapids' psys limits through MSR have 17 bits,
 * spr_psys_bits: not modelled, their psys limits sit far below 4096 W.)
 */
export function powerLimitMask(iface: RaplInterface, constraintName: string | null): bigint {
  if (iface === 'tpmi') return TPMI_POWER_LIMIT_MASK;
  return constraintName === 'peak_power' ? MSR_POWER_LIMIT4_MASK : MSR_POWER_LIMIT_MASK;
}

/**
 * rapl_unit_xlate(POWER_UNIT) to the register and back (intel_rapl_common.c, v5.3 on; read against v6.12):
 * truncation to the power unit, kept to the limit field (`mask`, powerLimitMask(): 15 bits
 * for PL1/PL2 through MSR unless told).
 */
export function quantizePowerLimit(uw: bigint, mask: bigint = MSR_POWER_LIMIT_MASK): bigint {
  const raw = (uw / RAPL_POWER_UNIT_UW) & mask;
  return raw * RAPL_POWER_UNIT_UW;
}

const ilog2 = (v: bigint): bigint => BigInt(v.toString(2).length - 1);

/**
 * rapl_compute_time_window_core() to the register and back (intel_rapl_common.c, v5.3 on; read against v6.1 and v6.12):
 * 2^Y × (1 + F/4) time units, Y 5 bits, F 2 bits.
 * 28 s → Y=14, F=3 → 16384 × 7 × 976 / 4 = 27983872 µs.
 * - to the register: a window below one time unit (0 included) is stored as raw 0, which reads
 *   back as 2^0 × 4 / 4 = one unit (976 µs);
 * - past Y = 0x1f the field saturates at 0x7f (Y 31, F 3);
 * - back from the register the driver computes `(1 << y) * (4 + f) * time_unit / 4` with `1 << y`
 *   an int: for Y = 31 (2^31 units and more, about 24.3 days) it is INT_MIN, sign-extended into the
 *   u64 product, and the value read back is garbage that sysfs prints as a signed 64-bit number.
 */
export function timeWindowRaw(us: bigint): { y: bigint; f: bigint } {
  if (us < RAPL_TIME_UNIT_US) return { y: 0n, f: 0n };
  const value = us / RAPL_TIME_UNIT_US;
  const y = ilog2(value);
  if (y > 0x1fn) return { y: 0x1fn, f: 3n };
  return { y, f: ((4n * (value - (1n << y))) / (1n << y)) & 3n };
}

/** The read path from raw (y, f), with the int overflow of `1 << 31`; the u64 the driver returns. */
export function timeWindowFromRaw(y: bigint, f: bigint): bigint {
  // (1 << y) is an int: 1 << 31 is INT_MIN, which C converts to u64 by sign extension
  const one = y >= 31n ? BigInt.asUintN(64, -(1n << 31n)) : 1n << y;
  return BigInt.asUintN(64, one * (4n + f) * RAPL_TIME_UNIT_US) / 4n;
}

/** What time_window_us reads after writing `us` (sysfs prints it with %lld: a signed 64-bit value). */
export function computeTimeWindow(us: bigint): bigint {
  const { y, f } = timeWindowRaw(us);
  return BigInt.asIntN(64, timeWindowFromRaw(y, f));
}

/** The write lands in the read path's int overflow (2^31 time units or more). */
export const timeWindowOverflows = (us: bigint) => timeWindowRaw(us).y >= 31n;

/**
 * The control types RAPL registers: `intel-rapl` for the MSR interface (intel_rapl_msr.c, AMD and
 * Hygon included) and for TPMI (intel_rapl_tpmi.c, trp_alloc: the same name), `intel-rapl-mmio`
 * for the processor's MMIO registers on clients only
 * (drivers/thermal/intel/int340x_thermal/processor_thermal_rapl.c); each is a
 * `powercap_register_control_type()` call. The one answer to "is this zone RAPL".
 */
export const RAPL_MSR_CONTROL_TYPE = 'intel-rapl';
export const RAPL_MMIO_CONTROL_TYPE = 'intel-rapl-mmio';
export const isRaplType = (controlType: string): boolean =>
  controlType === RAPL_MSR_CONTROL_TYPE || controlType === RAPL_MMIO_CONTROL_TYPE;

/**
 * A RAPL zone of an AMD (or Hygon) part: intel_rapl_msr.c registers AMD's package and core
 * domains (rapl_msr_priv_amd) with energy-status registers only, so no power limit is found
 * (rapl_detect_powerlimit) and the zone has no constraint files, and `enabled` reads 0
 * (get_domain_enable fails on the absent PL1, powercap_sys.c enabled_show then prints 0). An Intel
 * part registers a limit register for every MSR domain (rapl_msr_priv_intel), so an Intel
 * package or core zone always has long_term. TPMI has no core domain, and its packages have PL1.
 */
export function isAmdRaplZone(z: { controlType: string; name: string | null; constraints: readonly unknown[]; enabled: boolean | null }): boolean {
  return z.controlType === RAPL_MSR_CONTROL_TYPE && z.constraints.length === 0 && z.enabled === false &&
    z.name !== null && /^(package-[0-9]+(-die-[0-9]+)?|core)$/.test(z.name);
}
