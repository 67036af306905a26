/**
 * Dividing a power budget among actors as the thermal power allocator does it
 * (drivers/thermal/gov_power_allocator.c, allocate_power() and divvy_up_power(); read against
 * v6.1 and v6.12, which agree on every rule here):
 * - everything is mW in u32 (cooling devices report mW): requests, maxima, the budget
 *   (power_range) and every sum wrap at 2^32 as the kernel's do;
 * - weights: when no actor has one set (total_weight 0), every weight is 1024 (1 << FRAC_BITS);
 *   once one is set, an unset weight is 0 (THERMAL_WEIGHT_DEFAULT);
 * - weighted = (weight × req) >> 10, the product in 32 bits (int × u32);
 * - granted = DIV_ROUND_CLOSEST_ULL(weighted × budget, Σweighted); Σweighted = 0 is made 1, so
 *   every actor is granted 0;
 * - a grant above max is cut to it and the excess pooled; the pool, at most the total headroom,
 *   is shared once in proportion to each actor's headroom max − granted.
 * The callers keep µW: requests, maxima and the budget are truncated to mW here, and grants
 * come back as mW (and × 1000 in µW).
 */

export interface Actor {
  name: string;
  requestUw: number;
  maxUw: number;
  /** IPA weight; null when not set (see above) */
  weight: number | null;
  /** DTPM minimum, 0 when unknown */
  minUw?: number;
}

/** What divvy_up_power() gives one actor (in the actors' order). */
export interface IpaGrant {
  /** the weight the kernel used */
  weight: number;
  requestMw: number;
  maxMw: number;
  weightedMw: number;
  grantedMw: number;
  /** grantedMw × 1000 */
  grantedUw: number;
  /** the grant was cut to max before the pool was shared */
  capped: boolean;
  /** share of the pooled excess it received, mW */
  extraMw: number;
}

export const FRAC_BITS = 10;
const u32 = (x: number) => x >>> 0;
/** DIV_ROUND_CLOSEST_ULL(x, d) on u64 */
const divRoundClosest = (x: bigint, d: bigint) => (x + d / 2n) / d;

/** The weights allocate_power() uses: 1024 for all when none is set, else unset = 0. */
export function effectiveWeights(actors: readonly Actor[]): number[] {
  const total = actors.reduce((s, a) => s + (a.weight ?? 0), 0);
  return actors.map((a) => (total === 0 ? 1 << FRAC_BITS : a.weight ?? 0));
}

/** allocate_power() + divvy_up_power(): the grant of each actor, in the actors' order. */
export function divvyUpPower(actors: Actor[], budgetUw: number): IpaGrant[] {
  const n = actors.length;
  const weights = effectiveWeights(actors);
  const range = u32(Math.floor(budgetUw / 1000));
  const req = actors.map((a) => u32(Math.floor(a.requestUw / 1000)));
  const max = actors.map((a) => u32(Math.floor(a.maxUw / 1000)));
  // frac_to_int(weight * req_power): a 32-bit product, then >> 10
  const weighted = req.map((r, i) => Number((BigInt.asUintN(32, BigInt(weights[i]!) * BigInt(r))) >> BigInt(FRAC_BITS)));
  let total = 0;
  for (const w of weighted) total = u32(total + w);
  if (total === 0) total = 1;
  const granted = new Array<number>(n);
  const capped = new Array<boolean>(n);
  const headroom = new Array<number>(n);
  let extra = 0;
  let cappedExtra = 0;
  for (let i = 0; i < n; i++) {
    let g = u32(Number(divRoundClosest(BigInt(weighted[i]!) * BigInt(range), BigInt(total))));
    capped[i] = g > max[i]!;
    if (g > max[i]!) { extra = u32(extra + g - max[i]!); g = max[i]!; }
    granted[i] = g;
    headroom[i] = u32(max[i]! - g);
    cappedExtra = u32(cappedExtra + headroom[i]!);
  }
  const add = new Array<number>(n).fill(0);
  if (extra !== 0 && cappedExtra !== 0) {
    const pool = Math.min(extra, cappedExtra);
    for (let i = 0; i < n; i++) add[i] = Number(divRoundClosest(BigInt(headroom[i]!) * BigInt(pool), BigInt(cappedExtra)));
  }
  return actors.map((_a, i) => {
    const g = u32(granted[i]! + add[i]!);
    return { weight: weights[i]!, requestMw: req[i]!, maxMw: max[i]!, weightedMw: weighted[i]!, grantedMw: g, grantedUw: g * 1000, capped: capped[i]!, extraMw: add[i]! };
  });
}

// ------------------------------------------------------------------ the governor's PID

/**
 * The tunables of struct thermal_zone_params (include/linux/thermal.h) the power allocator reads,
 * named as the kernel names them: gains in Q10 fixed point (mW per m°C × 1024), the cutoff in
 * m°C, the sustainable power in mW.
 */
export interface PidTunables {
  k_po: number;
  k_pu: number;
  k_i: number;
  k_d: number;
  integral_cutoff: number;
  sustainable_power: number;
}

/** The controller's memory (struct power_allocator_params): err_integral is an s64 of Q10 m°C. */
export interface PidState {
  err_integral: bigint;
  prev_err: number;
}

/** One pid_controller() call, with the terms its trace point reports (thermal_power_allocator_pid). */
export interface PidStep {
  /** control_temp − temperature, m°C (frac_to_int of the Q10 error) */
  err: number;
  /** the integral so far, frac_to_int */
  errIntegral: number;
  /** the proportional, integral and derivative terms, mW (frac_to_int) */
  p: number;
  i: number;
  d: number;
  /** sustainable_power + p + i + d, clamped to [0, max_allocatable_power], mW */
  powerRange: number;
}

const s32 = (x: bigint) => BigInt.asIntN(32, x);
const F = BigInt(FRAC_BITS);
/** int_to_frac / frac_to_int / mul_frac on s64 (>> on a negative s64 is an arithmetic shift) */
const intToFrac = (x: bigint) => x << F;
const fracToInt = (x: bigint) => x >> F;
const mulFrac = (x: bigint, y: bigint) => (x * y) >> F;
/** div_frac(): div_s64(x << FRAC_BITS, y), truncating toward zero as BigInt division does */
const divFrac = (x: bigint, y: bigint) => (x << F) / y;

/**
 * estimate_sustainable_power(): with no sustainable_power given, the sum over the actors of the
 * power of their most throttled state (state2power(instance->upper)), mW, in a u32.
 */
export function estimateSustainablePower(minPowersMw: readonly number[]): number {
  return minPowersMw.reduce((s, p) => u32(s + u32(p)), 0);
}

/**
 * estimate_pid_constants(): temperature_threshold = control_temp − the switch-on trip's
 * temperature (control_temp itself with no switch-on trip), a u32; k_po = (S << 10) / threshold,
 * k_pu = (2S << 10) / threshold, k_i = max(1, k_pu / 10); k_d and integral_cutoff stay 0. A
 * threshold of 0 (two trips at one temperature) gives up: null, the gains are left as they were.
 */
export function estimatePidConstants(sustainablePowerMw: number, switchOnMc: number | null, controlTempMc: number): Pick<PidTunables, 'k_po' | 'k_pu' | 'k_i'> | null {
  const threshold = u32(controlTempMc - (switchOnMc ?? 0));
  if (threshold === 0) return null;
  const k_po = Math.floor(u32(u32(sustainablePowerMw) * 1024) / threshold);
  const k_pu = Math.floor(u32(u32(2 * sustainablePowerMw) * 1024) / threshold);
  const ki = Math.trunc(k_pu / 10);
  return { k_po: Number(s32(BigInt(k_po))), k_pu: Number(s32(BigInt(k_pu))), k_i: ki > 0 ? ki : 1 };
}

/** reset_pid_controller() */
export function resetPidController(s: PidState): void {
  s.err_integral = 0n;
  s.prev_err = 0;
}

/**
 * pid_controller(): the power budget for the next period, mW.
 * - err = int_to_frac(control_temp − temperature) (s32);
 * - p = mul_frac(err < 0 ? k_po : k_pu, err);
 * - i = mul_frac(k_i, err_integral); while err < int_to_frac(integral_cutoff) the error is
 *   integrated, unless that takes |i| to max_allocatable_power or beyond;
 * - d = div_frac(mul_frac(k_d, err − prev_err), passive delay in ms);
 * - power_range = sustainable_power + frac_to_int(p + i + d), clamped to [0, max_allocatable_power].
 */
export function pidController(s: PidState, t: PidTunables, temperatureMc: number, controlTempMc: number, maxAllocatableMw: number, passiveDelayMs: number): PidStep {
  const maxPowerFrac = s32(intToFrac(BigInt(u32(maxAllocatableMw))));
  const err = s32(intToFrac(BigInt(controlTempMc - temperatureMc)));
  const p = mulFrac(BigInt(err < 0n ? t.k_po : t.k_pu), err);
  let i = mulFrac(BigInt(t.k_i), s.err_integral);
  if (err < s32(intToFrac(BigInt(t.integral_cutoff)))) {
    const iNext = i + mulFrac(BigInt(t.k_i), err);
    if ((iNext < 0n ? -iNext : iNext) < maxPowerFrac) {
      i = iNext;
      s.err_integral += err;
    }
  }
  let d = mulFrac(BigInt(t.k_d), err - BigInt(s.prev_err));
  d = divFrac(d, BigInt(Math.max(1, Math.round(passiveDelayMs))));
  s.prev_err = Number(err);
  let range = BigInt(u32(t.sustainable_power)) + fracToInt(p + i + d);
  if (range < 0n) range = 0n;
  if (range > BigInt(u32(maxAllocatableMw))) range = BigInt(u32(maxAllocatableMw));
  return {
    err: Number(fracToInt(err)), errIntegral: Number(fracToInt(s.err_integral)),
    p: Number(fracToInt(p)), i: Number(fracToInt(i)), d: Number(fracToInt(d)), powerRange: Number(range),
  };
}
