/**
 * The power of one OPP as drivers/opp/of.c computes it for the energy model
 * (dev_pm_opp_calc_power() in v6.12, named _get_power() in earlier kernels; registered by
 * dev_pm_opp_of_register_em()): power_uW = C × mV × mV × (Hz / 1e6) / 1e6, mV = µV / 1000
 * truncated, C = dynamic-power-coefficient (v6.0+); before 6.0 the last division was by 1e9,
 * giving mW (v5.9–v5.19).
 */

const idiv = (a: number, b: number) => Math.floor(a / b);

/** Dynamic power of one OPP in µW, exactly as dev_pm_opp_calc_power() computes it on kernels ≥ 6.0. */
export function oppPowerUw(coefficient: number, voltageUv: number, frequencyKhz: number): number {
  return Number(oppPowerRaw(coefficient, voltageUv, frequencyKhz) / 1_000_000n);
}

/** The same on kernels before 6.0: milliwatts. */
export function oppPowerMwPre60(coefficient: number, voltageUv: number, frequencyKhz: number): number {
  return Number(oppPowerRaw(coefficient, voltageUv, frequencyKhz) / 1_000_000_000n);
}

function oppPowerRaw(coefficient: number, voltageUv: number, frequencyKhz: number): bigint {
  const mV = BigInt(idiv(voltageUv, 1000));
  const mhz = BigInt(idiv(frequencyKhz * 1000, 1_000_000));
  // dev_pm_opp_calc_power() multiplies in a u64: past 2^53 for big coefficients, so bigint here,
  // wrapped at 2^64 as the kernel's is (a u32 coefficient near its top can wrap into a small power)
  return BigInt.asUintN(64, BigInt(coefficient) * mV * mV * mhz);
}


/**
 * An OPP's rate as the energy model holds it: kHz, the Hz truncated (drivers/opp/of.c,
 * _get_dt_power() and dev_pm_opp_calc_power(): `*kHz = opp_freq / 1000`).
 */
export function emFrequencyKhz(hz: bigint): number {
  return Number(hz / 1000n);
}

/** An OPP's opp-microwatt: the sum over its supplies (dev_pm_opp_get_power()). */
export function oppMicrowatts(perSupply: readonly bigint[]): number {
  return Number(perSupply.reduce((a, b) => a + b, 0n));
}

/**
 * Whether the energy model takes its powers from opp-microwatt: decided by the lowest OPP alone,
 * and only when its power is not 0 (drivers/opp/of.c, _of_has_opp_microwatt_property()); else
 * the C·V²·f estimate (dev_pm_opp_calc_power()).
 */
export function usesOppMicrowatt(lowestPowerUw: number | null): boolean {
  return lowestPowerUw !== null && lowestPowerUw > 0;
}
