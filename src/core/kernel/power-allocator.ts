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
