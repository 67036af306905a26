/**
 * Energy deltas between two counter readings (intel_rapl_common.c).
 *
 * `energy_uj` is a hardware counter that wraps at `max_energy_range_uj`; every
 * delta must handle one wrap:
 *   delta = now >= before ? now - before : now + (max_energy_range_uj - before)
 * (the +1 µJ of the wrap itself is rounding noise). What one wrap cannot
 * explain becomes a gap with a reason, never a negative or absurd figure:
 * - `multiple-wraps`: the interval is long enough for the counter to wrap more
 *   than once at the zone's highest plausible power, so the delta is ambiguous;
 * - `backwards`: the counter is lower than before and a wrap would mean a power
 *   no zone of this kind draws (a reset, a driver reload), or there is no range
 *   to wrap at (some old systems read max_energy_range_uj 0);
 * - `implausible`: the counter moved forward by more than the highest plausible
 *   power allows (a jump), or a reading above max_energy_range_uj.
 */

export type DeltaGapReason = 'multiple-wraps' | 'backwards' | 'implausible';

export type EnergyDelta =
  | { ok: true; deltaUj: bigint; wrapped: boolean }
  | { ok: false; reason: DeltaGapReason };

/** The one-wrap delta (intel_rapl_common.c counters), or null when `now < before` and there is no range to wrap at. */
export function energyDeltaUj(before: bigint, now: bigint, maxEnergyRangeUj: bigint | null): { deltaUj: bigint; wrapped: boolean } | null {
  if (now >= before) return { deltaUj: now - before, wrapped: false };
  if (maxEnergyRangeUj === null || maxEnergyRangeUj <= 0n) return null;
  return { deltaUj: now + (maxEnergyRangeUj - before), wrapped: true };
}

/**
 * Average power over an interval, µW, rounded to nearest:
 * energy µJ × 10^6 / elapsed µs.
 */
export function averagePowerUw(deltaUj: bigint, elapsedUs: bigint): bigint {
  if (elapsedUs <= 0n) return 0n;
  return (2n * deltaUj * 1_000_000n + elapsedUs) / (2n * elapsedUs);
}

/**
 * Could the counter have wrapped more than once within `elapsedUs`? At the
 * highest plausible power the counter runs through its whole range in
 * range / power; an interval at least that long makes one wrap ambiguous.
 */
export function moreThanOneWrapPossible(elapsedUs: bigint, maxEnergyRangeUj: bigint | null, maxPowerUw: bigint): boolean {
  if (maxEnergyRangeUj === null || maxEnergyRangeUj <= 0n) return false;
  // energy at max power over the interval, µJ = µW × µs / 10^6
  return maxPowerUw * elapsedUs >= maxEnergyRangeUj * 1_000_000n;
}

/**
 * Classify one interval of an energy counter: a delta (with or without one
 * wrap) or a gap with its reason. `maxPowerUw` is the zone's highest plausible
 * power (see plausiblePowerBoundUw in zones.ts).
 */
export function classifyEnergyInterval(
  before: bigint,
  now: bigint,
  elapsedUs: bigint,
  maxEnergyRangeUj: bigint | null,
  maxPowerUw: bigint,
): EnergyDelta {
  if (maxEnergyRangeUj !== null && maxEnergyRangeUj > 0n && now > maxEnergyRangeUj) return { ok: false, reason: 'implausible' };
  if (moreThanOneWrapPossible(elapsedUs, maxEnergyRangeUj, maxPowerUw)) return { ok: false, reason: 'multiple-wraps' };
  const d = energyDeltaUj(before, now, maxEnergyRangeUj);
  if (d === null) return { ok: false, reason: 'backwards' };
  // the most energy the zone can use in this interval
  const ceilingUj = (maxPowerUw * elapsedUs) / 1_000_000n;
  if (d.deltaUj > ceilingUj) return { ok: false, reason: d.wrapped ? 'backwards' : 'implausible' };
  return { ok: true, deltaUj: d.deltaUj, wrapped: d.wrapped };
}

/**
 * Energy of a zone that reports instantaneous power (DTPM `power_uw`) over an
 * interval: the trapezoid between the two readings, µJ.
 */
export function energyFromPowerUj(beforeUw: bigint, nowUw: bigint, elapsedUs: bigint): bigint {
  return ((beforeUw + nowUw) * elapsedUs + 1_000_000n) / 2_000_000n;
}
