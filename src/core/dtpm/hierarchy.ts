/**
 * The DTPM hierarchy as drivers/powercap/dtpm.c computes it (kernel.md §3).
 *
 * - A leaf (CPU cluster via cpufreq, or a devfreq device) takes its bounds from
 *   its energy-model table: min = table[0].power × nr_cpus, max = table[last] × nr_cpus.
 * - A virtual node's min and max are the sums over its children.
 * - Weights: child.weight = DIV64_U64_ROUND_CLOSEST(child.max × 1024, parent.max); root 1024.
 * - Writing L: clamp to [min, max] at the written node only; a virtual node gives
 *   each child max if L == max, min if L == min, else DIV_ROUND_CLOSEST(L × weight, 1024),
 *   unclamped, and stores the sum of what its children applied. A leaf applies the
 *   highest state whose power × nr_cpus ≤ its target.
 *
 * Where the kernel has a defect (a child target below that child's minimum reads
 * table[-1] in dtpm_cpu.c), the emulation clamps to the lowest state and says so.
 * Values are µW as plain numbers: integers far below 2^53.
 */

export interface LeafTable {
  /** per-CPU power of each state (µW), ascending frequency */
  states: Array<{ frequencyKhz: number; powerUw: number; performance?: number }>;
  /** online CPUs of the performance domain (1 for a devfreq device) */
  nrCpus: number;
}

export type DtpmKind = 'virtual' | 'cpu' | 'devfreq' | 'other';

export interface DtpmNode {
  name: string;
  kind: DtpmKind;
  /** powercap zone id when the node exists in a tree (`dtpm:0:1`) */
  zoneId: string | null;
  parent: DtpmNode | null;
  children: DtpmNode[];
  powerMinUw: number;
  powerMaxUw: number;
  /** what the node stores and sysfs reads as constraint_0_power_limit_uw */
  powerLimitUw: number;
  weight: number;
  /** energy-model table of a cpu/devfreq leaf; null for virtual nodes and table-less devices */
  table: LeafTable | null;
}

export const DTPM_WEIGHT_SCALE = 1024;

/** DIV64_U64_ROUND_CLOSEST / DIV_ROUND_CLOSEST_ULL for non-negative integers. */
export const divRoundClosest = (x: number, d: number): number => Math.floor((x + Math.floor(d / 2)) / d);

export function newNode(name: string, kind: DtpmKind, table: LeafTable | null = null, zoneId: string | null = null): DtpmNode {
  const node: DtpmNode = { name, kind, zoneId, parent: null, children: [], powerMinUw: 0, powerMaxUw: 0, powerLimitUw: 0, weight: 0, table };
  if (table) {
    const b = leafBounds(table);
    node.powerMinUw = b.minUw;
    node.powerMaxUw = b.maxUw;
    // dtpm_update_power(): a leaf with no limit yet gets its max
    node.powerLimitUw = b.maxUw;
  }
  return node;
}

export function addChild(parent: DtpmNode, child: DtpmNode): void {
  child.parent = parent;
  parent.children.push(child);
}

export function leafBounds(t: LeafTable): { minUw: number; maxUw: number } {
  if (t.states.length === 0) return { minUw: 0, maxUw: 0 };
  return { minUw: t.states[0]!.powerUw * t.nrCpus, maxUw: t.states[t.states.length - 1]!.powerUw * t.nrCpus };
}

/** Recompute min/max bottom-up: leaves from their tables, virtual nodes as sums. */
export function computeBounds(node: DtpmNode): void {
  if (node.children.length === 0) {
    if (node.table) {
      const b = leafBounds(node.table);
      node.powerMinUw = b.minUw;
      node.powerMaxUw = b.maxUw;
    }
    return;
  }
  let min = 0;
  let max = 0;
  for (const c of node.children) {
    computeBounds(c);
    min += c.powerMinUw;
    max += c.powerMaxUw;
  }
  node.powerMinUw = min;
  node.powerMaxUw = max;
}

/** __dtpm_rebalance_weight(): every child's share of its parent's max on the 1024 scale. */
export function computeWeights(root: DtpmNode): void {
  root.weight = DTPM_WEIGHT_SCALE;
  const visit = (n: DtpmNode) => {
    for (const c of n.children) {
      c.weight = n.powerMaxUw > 0 ? divRoundClosest(c.powerMaxUw * DTPM_WEIGHT_SCALE, n.powerMaxUw) : 0;
      visit(c);
    }
  };
  visit(root);
}

/** Bounds then weights, from the root of the tree containing node. */
export function rebalance(node: DtpmNode): DtpmNode {
  let root = node;
  while (root.parent) root = root.parent;
  computeBounds(root);
  computeWeights(root);
  return root;
}

export interface LeafChoice {
  /** index of the state chosen */
  index: number;
  frequencyKhz: number;
  appliedUw: number;
  /** the target was below the lowest state: the kernel would read before its table */
  belowMin: boolean;
}

/** dtpm_cpu.c / dtpm_devfreq.c set_pd_power_limit(): the highest state whose power × nr_cpus ≤ limit. */
export function chooseLeafState(t: LeafTable, limitUw: number): LeafChoice {
  let i = 0;
  while (i < t.states.length && t.states[i]!.powerUw * t.nrCpus <= limitUw) i++;
  const belowMin = i === 0;
  const idx = belowMin ? 0 : i - 1;
  const s = t.states[idx]!;
  return { index: idx, frequencyKhz: s.frequencyKhz, appliedUw: s.powerUw * t.nrCpus, belowMin };
}

export interface SplitStep {
  node: DtpmNode;
  /** what the parent (or the user, for the written node) asked this node for */
  requestedUw: number;
  /** the target after clamping (written node: the kernel's clamp; child below min: our guard) */
  targetUw: number;
  appliedUw: number;
  /** leaves: the state chosen */
  choice: LeafChoice | null;
  warning: string | null;
}

/**
 * set_power_limit_uw() on `node`: clamp to its bounds, split among children, store
 * what was applied. Returns one step per node touched, in visiting order (the written
 * node first). Mutates powerLimitUw of the nodes touched; ancestors are left alone.
 */
export function distributeLimit(node: DtpmNode, requestedUw: number): SplitStep[] {
  const steps: SplitStep[] = [];
  const clamped = Math.min(Math.max(requestedUw, node.powerMinUw), node.powerMaxUw);
  setLimit(node, requestedUw, clamped, null, steps);
  return steps;
}

function setLimit(node: DtpmNode, requestedUw: number, targetUw: number, warning: string | null, steps: SplitStep[]): number {
  const step: SplitStep = { node, requestedUw, targetUw, appliedUw: 0, choice: null, warning };
  steps.push(step);
  if (node.children.length === 0) {
    if (node.table && node.table.states.length > 0) {
      const choice = chooseLeafState(node.table, targetUw);
      if (choice.belowMin) {
        step.warning = `${node.name}: target ${targetUw} µW is below its minimum ${node.powerMinUw} µW; clamped to the lowest state ` +
          `(the kernel would read before its table here)`;
        step.targetUw = node.powerMinUw;
      }
      step.choice = choice;
      node.powerLimitUw = choice.appliedUw;
    } else {
      // a device without a table (or a childless virtual node): it keeps what it is given, within bounds
      node.powerLimitUw = Math.min(Math.max(targetUw, node.powerMinUw), node.powerMaxUw);
    }
    step.appliedUw = node.powerLimitUw;
    return step.appliedUw;
  }
  let sum = 0;
  for (const c of node.children) {
    let share: number;
    if (targetUw === node.powerMaxUw) share = c.powerMaxUw;
    else if (targetUw === node.powerMinUw) share = c.powerMinUw;
    else share = divRoundClosest(targetUw * c.weight, DTPM_WEIGHT_SCALE);
    let childTarget = share;
    let w: string | null = null;
    if (share < c.powerMinUw) {
      // kernel defect guard (kernel.md §3): never hand a child less than its minimum
      childTarget = c.powerMinUw;
      w = `${c.name}: its share ${share} µW is below its minimum ${c.powerMinUw} µW; clamped to the minimum`;
    }
    sum += setLimit(c, share, childTarget, w, steps);
  }
  node.powerLimitUw = sum;
  step.appliedUw = sum;
  return sum;
}

/** Depth-first, parents before children. */
export function walk(node: DtpmNode, visit: (n: DtpmNode, depth: number) => void, depth = 0): void {
  visit(node, depth);
  for (const c of node.children) walk(c, visit, depth + 1);
}
