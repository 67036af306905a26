/**
 * Two ways of dividing a power budget, side by side:
 * - the thermal power allocator (IPA, drivers/thermal/gov_power_allocator.c, kernel.md §5):
 *   weighted_i = w_i × req_i >> 10; granted_i = round(weighted_i × budget / Σweighted);
 *   a grant above max_i is cut to it and the excess pooled; the pool (at most the total
 *   headroom) is shared once among the actors, in proportion to their headroom max_i − granted_i.
 *   When Σweighted is 0 everyone gets their max. It follows demand.
 * - DTPM (kernel.md §3): static, by power_max: each leaf gets its share of the budget by its
 *   weight on the 1024 scale, whatever it asks for.
 * Integers throughout; products are bigints so 10 000 actors of 64 W stay exact.
 */
import { usageError } from '../errors.js';
import { DTPM_WEIGHT_SCALE, divRoundClosest } from '../dtpm/hierarchy.js';

export interface Actor {
  name: string;
  requestUw: number;
  maxUw: number;
  /** IPA weight, 1024 when none is set */
  weight: number;
  /** DTPM minimum, 0 when unknown */
  minUw?: number;
}

export interface IpaGrant {
  name: string;
  weightedUw: number;
  grantedUw: number;
  /** the grant was cut to max before the pool was shared */
  capped: boolean;
  /** share of the pooled excess it received */
  extraUw: number;
}

const roundDiv = (x: bigint, d: bigint) => (x + d / 2n) / d;

export function ipaDivvy(actors: Actor[], budgetUw: number): IpaGrant[] {
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
  if (total === 0) return actors.map((a) => ({ name: a.name, weightedUw: 0, grantedUw: a.maxUw, capped: false, extraUw: 0 }));
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
    out[i] = { name: actors[i]!.name, weightedUw: weighted[i]!, grantedUw: granted[i]! + add, capped: capped[i]!, extraUw: add };
  }
  return out;
}

export function checkActors(actors: Actor[]): void {
  const seen = new Set<string>();
  for (const a of actors) {
    if (seen.has(a.name)) throw usageError(`actor '${a.name}' is given twice`, 'each actor once');
    seen.add(a.name);
    if (a.maxUw <= 0) throw usageError(`actor '${a.name}': maximum power must be above 0`);
    if (a.requestUw < 0) throw usageError(`actor '${a.name}': requested power is negative`);
    if (!Number.isInteger(a.weight) || a.weight < 0) throw usageError(`actor '${a.name}': weight '${a.weight}' must be a whole number ≥ 0`);
  }
}


// ------------------------------------------------------------------ DTPM's static split, flat

/**
 * A DTPM tree without energy-model tables, as flat arrays in preorder (node 0 is the
 * root). It is the same split as dtpm/hierarchy.ts distributeLimit() for leaves that keep
 * what they are given within their bounds (the model test checks the two agree on
 * random trees), laid out so that 10 000 leaves cost a few milliseconds: DtpmNode objects
 * change field representations as bounds and weights are filled in, which V8 pays for
 * per object.
 */
export interface FlatTree {
  names: string[];
  /** parent index, −1 for the root */
  parent: Int32Array;
  children: number[][];
  maxUw: Float64Array;
  minUw: Float64Array;
  weight: Float64Array;
}

export function newFlatTree(capacity: number): FlatTree {
  return {
    names: [], parent: new Int32Array(capacity), children: [],
    maxUw: new Float64Array(capacity), minUw: new Float64Array(capacity), weight: new Float64Array(capacity),
  };
}

/** Append a node (preorder: parents before children); returns its index. */
export function flatAdd(t: FlatTree, name: string, parent: number, maxUw: number, minUw: number): number {
  const i = t.names.length;
  t.names.push(name);
  t.parent[i] = parent;
  t.children.push([]);
  t.maxUw[i] = maxUw;
  t.minUw[i] = minUw;
  if (parent >= 0) t.children[parent]!.push(i);
  return i;
}

/** computeBounds() then computeWeights(): inner nodes sum their children; weights on the 1024 scale. */
export function flatRebalance(t: FlatTree): void {
  const n = t.names.length;
  for (let i = n - 1; i >= 0; i--) {
    const kids = t.children[i]!;
    if (kids.length === 0) continue;
    let min = 0;
    let max = 0;
    for (const c of kids) { min += t.minUw[c]!; max += t.maxUw[c]!; }
    t.minUw[i] = min;
    t.maxUw[i] = max;
  }
  t.weight[0] = DTPM_WEIGHT_SCALE;
  for (let i = 1; i < n; i++) {
    const p = t.parent[i]!;
    t.weight[i] = t.maxUw[p]! > 0 ? divRoundClosest(t.maxUw[i]! * DTPM_WEIGHT_SCALE, t.maxUw[p]!) : 0;
  }
}

export interface FlatSplit {
  /** what each node's parent handed it (the written node: the request) */
  requestedUw: Float64Array;
  appliedUw: Float64Array;
  /** nodes whose share fell below their minimum and were given the minimum */
  belowMin: number[];
}

/** distributeLimit() on node `at`: clamp there, split by weight (boundary cases at max and min), store sums. */
export function flatSplit(t: FlatTree, at: number, limitUw: number): FlatSplit {
  const n = t.names.length;
  const requestedUw = new Float64Array(n);
  const appliedUw = new Float64Array(n);
  const belowMin: number[] = [];
  const set = (i: number, requested: number, target: number): number => {
    requestedUw[i] = requested;
    const kids = t.children[i]!;
    if (kids.length === 0) {
      const v = Math.min(Math.max(target, t.minUw[i]!), t.maxUw[i]!);
      appliedUw[i] = v;
      return v;
    }
    let sum = 0;
    for (const c of kids) {
      const share = target === t.maxUw[i] ? t.maxUw[c]! : target === t.minUw[i] ? t.minUw[c]! : divRoundClosest(target * t.weight[c]!, DTPM_WEIGHT_SCALE);
      let childTarget = share;
      if (share < t.minUw[c]!) { childTarget = t.minUw[c]!; belowMin.push(c); }
      sum += set(c, share, childTarget);
    }
    appliedUw[i] = sum;
    return sum;
  };
  set(at, limitUw, Math.min(Math.max(limitUw, t.minUw[at]!), t.maxUw[at]!));
  return { requestedUw, appliedUw, belowMin };
}

/** DTPM's split of the budget among flat actors: leaves of one virtual node, bounds [min, max]. */
export function dtpmSplitActors(actors: Actor[], budgetUw: number): Array<{ limitUw: number; appliedUw: number }> {
  const t = newFlatTree(actors.length + 1);
  flatAdd(t, 'budget', -1, 0, 0);
  for (const a of actors) flatAdd(t, a.name, 0, a.maxUw, a.minUw ?? 0);
  flatRebalance(t);
  const r = flatSplit(t, 0, budgetUw);
  return actors.map((_a, i) => ({ limitUw: r.requestedUw[i + 1]!, appliedUw: r.appliedUw[i + 1]! }));
}
