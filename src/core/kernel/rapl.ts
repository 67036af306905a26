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
 * rapl_compute_time_window_core() to the register and back (intel_rapl_common.c, v5.3 on; read against v6.12):
 * 2^Y × (1 + F/4) time units, Y 5 bits, F 2 bits.
 * 28 s → Y=14, F=3 → 16384 × 7 × 976 / 4 = 27983872 µs.
 */
export function computeTimeWindow(us: bigint): bigint {
  if (us < RAPL_TIME_UNIT_US) return 0n;
  const value = us / RAPL_TIME_UNIT_US;
  let y = ilog2(value);
  let f: bigint;
  if (y > 0x1fn) {
    y = 0x1fn;
    f = 3n;
  } else {
    f = (4n * (value - (1n << y))) / (1n << y);
  }
  return ((1n << y) * (4n + (f & 3n)) * RAPL_TIME_UNIT_US) / 4n;
}
