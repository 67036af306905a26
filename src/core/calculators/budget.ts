/**
 * Two ways of dividing a power budget, side by side, for `model budget`:
 * - the thermal power allocator (kernel/power-allocator.ts, divvyUpPower): it follows demand;
 * - DTPM (kernel/dtpm.ts, setPowerLimitUw): static, by power_max: each leaf gets its share of
 *   the budget by its weight on the 1024 scale, whatever it asks for.
 * Both are the kernel functions themselves; this module only checks the actors and lays the
 * DTPM split out per leaf.
 */
import { usageError } from '../errors.js';
import { addChild, newNode, rebalance, setPowerLimitUw, type DtpmNode, type SplitStep } from '../kernel/dtpm.js';
import type { Actor } from '../kernel/power-allocator.js';

export type { Actor } from '../kernel/power-allocator.js';

export function checkActors(actors: Actor[]): void {
  const seen = new Set<string>();
  for (const a of actors) {
    if (seen.has(a.name)) throw usageError(`actor '${a.name}' is given twice`, 'each actor once');
    seen.add(a.name);
    if (a.maxUw <= 0) throw usageError(`actor '${a.name}': maximum power must be above 0`);
    if (a.requestUw < 0) throw usageError(`actor '${a.name}': requested power is negative`);
    if (a.weight !== null && (!Number.isInteger(a.weight) || a.weight < 0)) throw usageError(`actor '${a.name}': weight '${a.weight}' must be a whole number ≥ 0`);
  }
}


// ------------------------------------------------------------------ DTPM's static split

export interface DtpmSplit {
  /** the steps of the leaves under the written node, in tree order (requestedUw: what the parent handed) */
  leaves: SplitStep[];
  /** nodes whose share fell below their minimum and were given the minimum, in tree order */
  belowMin: DtpmNode[];
}

/** setPowerLimitUw() on `node` (the tree is changed: run it on a tree built for the purpose). */
export function dtpmSplit(node: DtpmNode, budgetUw: number): DtpmSplit {
  const steps = setPowerLimitUw(node, budgetUw);
  const leaves: SplitStep[] = [];
  const belowMin: DtpmNode[] = [];
  for (const st of steps) {
    if (st.warning !== null && st.node !== node) belowMin.push(st.node);
    if (st.node.children.length === 0) leaves.push(st);
  }
  return { leaves, belowMin };
}

/** DTPM's split of the budget among flat actors: leaves of one virtual node, bounds [min, max]. */
export function dtpmSplitActors(actors: Actor[], budgetUw: number): Array<{ limitUw: number; appliedUw: number }> {
  const root = newNode('budget', 'virtual');
  for (const a of actors) {
    const leaf = newNode(a.name, 'other');
    leaf.powerMaxUw = a.maxUw;
    leaf.powerMinUw = a.minUw ?? 0;
    leaf.powerLimitUw = a.maxUw;
    addChild(root, leaf);
  }
  rebalance(root);
  return dtpmSplit(root, budgetUw).leaves.map((l) => ({ limitUw: l.requestedUw, appliedUw: l.appliedUw }));
}
