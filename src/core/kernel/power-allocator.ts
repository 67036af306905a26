/**
 * Dividing a power budget among actors as the thermal power allocator does it
 * (drivers/thermal/gov_power_allocator.c, divvy_up_power(), read against v6.12):
 *   weighted_i = w_i × req_i >> 10; granted_i = round(weighted_i × budget / Σweighted);
 *   a grant above max_i is cut to it and the excess pooled; the pool (at most the total
 *   headroom) is shared once among the actors, in proportion to their headroom max_i − granted_i.
 * When Σweighted is 0 everyone gets their max (divvy_up_power() grants 0 there: a divergence kept
 * until the kernel-exactness work). It follows demand.
 * Integers throughout; products beyond 2^53 go through bigints so 10 000 actors of 64 W stay exact.
 */

export interface Actor {
  name: string;
  requestUw: number;
  maxUw: number;
  /** IPA weight, 1024 when none is set */
  weight: number;
  /** DTPM minimum, 0 when unknown */
  minUw?: number;
}

/** What divvy_up_power() gives one actor (in the actors' order). */
export interface IpaGrant {
  weightedUw: number;
  grantedUw: number;
  /** the grant was cut to max before the pool was shared */
  capped: boolean;
  /** share of the pooled excess it received */
  extraUw: number;
}

const roundDiv = (x: bigint, d: bigint) => (x + d / 2n) / d;

/** divvy_up_power(): the grant of each actor, in the actors' order. */
export function divvyUpPower(actors: Actor[], budgetUw: number): IpaGrant[] {
  const n = actors.length;
  const weighted = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = actors[i]!;
    // w × req >> 10 (a shift on a u64 in the kernel: floor division here)
    const w = Math.floor((a.weight * a.requestUw) / 1024);
    weighted[i] = w;
    total += w;
  }
  if (total === 0) return actors.map((a) => ({ weightedUw: 0, grantedUw: a.maxUw, capped: false, extraUw: 0 }));
  // DIV_ROUND_CLOSEST_ULL(x × mul, d): exact in doubles while the product stays below 2^53, bigints beyond
  const grant = (x: number, mul: number, d: number) =>
    x * mul + d < Number.MAX_SAFE_INTEGER ? Math.floor((x * mul + Math.floor(d / 2)) / d) : Number(roundDiv(BigInt(x) * BigInt(mul), BigInt(d)));
  const granted = new Array<number>(n);
  const capped = new Array<boolean>(n);
  let extra = 0;
  let headroomTotal = 0;
  for (let i = 0; i < n; i++) {
    const max = actors[i]!.maxUw;
    let g = grant(weighted[i]!, budgetUw, total);
    capped[i] = g > max;
    if (g > max) { extra += g - max; g = max; }
    granted[i] = g;
    headroomTotal += max - g;
  }
  const pool = Math.min(extra, headroomTotal);
  const out = new Array<IpaGrant>(n);
  for (let i = 0; i < n; i++) {
    const headroom = actors[i]!.maxUw - granted[i]!;
    const add = pool > 0 && headroomTotal > 0 ? grant(headroom, pool, headroomTotal) : 0;
    out[i] = { weightedUw: weighted[i]!, grantedUw: granted[i]! + add, capped: capped[i]!, extraUw: add };
  }
  return out;
}
