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
import { addChild, computeBounds, computeWeights, distributeLimit, newNode, type DtpmNode, type SplitStep } from '../dtpm/hierarchy.js';

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
  const weighted = actors.map((a) => (BigInt(a.weight) * BigInt(a.requestUw)) >> 10n);
  const total = weighted.reduce((s, w) => s + w, 0n);
  if (total === 0n) {
    return actors.map((a) => ({ name: a.name, weightedUw: 0, grantedUw: a.maxUw, capped: false, extraUw: 0 }));
  }
  const budget = BigInt(budgetUw);
  let extra = 0n;
  let headroomTotal = 0n;
  const out = actors.map((a, i) => {
    let g = roundDiv(weighted[i]! * budget, total);
    const max = BigInt(a.maxUw);
    let capped = false;
    if (g > max) { extra += g - max; g = max; capped = true; }
    headroomTotal += max - g;
    return { name: a.name, weighted: weighted[i]!, g, headroom: max - g, capped };
  });
  const pool = extra < headroomTotal ? extra : headroomTotal;
  return out.map((x) => {
    const add = pool > 0n && headroomTotal > 0n ? roundDiv(x.headroom * pool, headroomTotal) : 0n;
    return { name: x.name, weightedUw: Number(x.weighted), grantedUw: Number(x.g + add), capped: x.capped, extraUw: Number(add) };
  });
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


/** DTPM's split of the budget among flat actors: leaves of one virtual node, bounds [min, max]. */
export function dtpmSplitActors(actors: Actor[], budgetUw: number): { steps: SplitStep[]; root: DtpmNode } {
  const root = newNode('budget', 'virtual');
  for (const a of actors) {
    const leaf = newNode(a.name, 'other');
    leaf.powerMaxUw = a.maxUw;
    leaf.powerMinUw = a.minUw ?? 0;
    leaf.powerLimitUw = a.maxUw;
    addChild(root, leaf);
  }
  computeBounds(root);
  computeWeights(root);
  return { steps: distributeLimit(root, budgetUw), root };
}
