/**
 * RAPL register quantisation, as drivers/powercap/intel_rapl_common.c does it (v5.3 onwards;
 * intel_rapl.c before). The emulated kernel behind snapshots stores what these return, and
 * set-limit explains a read-back that differs from the request with them. Units are those of
 * MSR_RAPL_POWER_UNIT on nearly every part: power 1/8 W (PU = 3), time 1/1024 s (TU = 10).
 */
export const RAPL_POWER_UNIT_UW = 125_000n; // 1_000_000 >> 3
export const RAPL_TIME_UNIT_US = 976n; // 1_000_000 / (1 << 10), integer division as the driver does
const POWER_LIMIT_MASK = 0x7fffn; // 15-bit PL field

/**
 * rapl_unit_xlate(POWER_UNIT) to the register and back (intel_rapl_common.c, v5.3 on; read against v6.12):
 * truncation to the power unit, kept to the 15-bit PL field.
 */
export function quantizePowerLimit(uw: bigint): bigint {
  const raw = (uw / RAPL_POWER_UNIT_UW) & POWER_LIMIT_MASK;
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
 * Hygon included) and TPMI (intel_rapl_tpmi.c), `intel-rapl-mmio` for the processor's MMIO
 * registers (drivers/thermal/intel/int340x_thermal/processor_thermal_rapl.c); each is a
 * `powercap_register_control_type()` call. The one answer to "is this zone RAPL".
 */
export const RAPL_MSR_CONTROL_TYPE = 'intel-rapl';
export const RAPL_MMIO_CONTROL_TYPE = 'intel-rapl-mmio';
export const isRaplType = (controlType: string): boolean =>
  controlType === RAPL_MSR_CONTROL_TYPE || controlType === RAPL_MMIO_CONTROL_TYPE;
