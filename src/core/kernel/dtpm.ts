/**
 * The DTPM hierarchy as drivers/powercap/dtpm.c computes it (v5.12 on; read against v6.12): one
 * node type and the functions of dtpm.c that do arithmetic on it. Every user (the emulated kernel behind a
 * snapshot, `model cap`, `model budget`, `create-node`, `dtpm check`, `tree`) calls these.
 *
 * - A leaf (CPU cluster via cpufreq, or a devfreq device) takes its bounds from its
 *   energy-model table (dtpm-cpu.ts, dtpm-devfreq.ts); a virtual node's are the sums over its
 *   children.
 * - Weights: child.weight = DIV64_U64_ROUND_CLOSEST(child.max × 1024, parent.max); root 1024.
 * - Writing L: clamp to [min, max] at the written node only; a virtual node gives each child
 *   max if L == max, min if L == min, else DIV_ROUND_CLOSEST(L × weight, 1024), unclamped, and
 *   stores the sum of what its children applied.
 *
 * Where the kernel has a defect (a child target below that child's minimum reads table[-1] in
 * dtpm_cpu.c), the emulation clamps to the minimum and says so in the step's warning.
 * Values are µW as plain numbers: integers far below 2^53.
 */
import { formatPower } from '../units.js';
import { setPdPowerLimit, updatePdPowerUw, type LeafChoice, type LeafTable } from './dtpm-cpu.js';
import { setDevfreqPowerLimit, updateDevfreqPowerUw } from './dtpm-devfreq.js';
import type { RegistryEntry } from '../dtpm/device.js';

export type { LeafChoice, LeafTable } from './dtpm-cpu.js';

export type DtpmKind = 'virtual' | 'cpu' | 'devfreq' | 'other';

/** The control type dtpm.c registers with powercap. */
export const DTPM_CONTROL_TYPE = 'dtpm';

/**
 * The one DTPM node type: struct dtpm (bounds, limit, weight, parent and children), with the
 * name, path and zone it has in powercap, the registered device of a real node and a leaf's
 * energy-model table. Every input (a zone tree, a description file, a configfs directory, a
 * budget tree) becomes these, through dtpm/hierarchy.ts buildHierarchy() or newNode()/addChild().
 */
export interface DtpmNode {
  name: string;
  kind: DtpmKind;
  /** names from the root, '/'-separated (the name alone until a builder places the node) */
  path: string;
  /** powercap zone id when the node exists in a tree (`dtpm:0:1`) */
  zoneId: string | null;
  /** the registered device of a real node; null for a virtual node (and for nodes built without a registry) */
  device: RegistryEntry | null;
  parent: DtpmNode | null;
  /** in order; a node without children shares one frozen empty list until addChild() gives it its own */
  children: readonly DtpmNode[];
  powerMinUw: number;
  powerMaxUw: number;
  /** what the node stores and sysfs reads as constraint_0_power_limit_uw */
  powerLimitUw: number;
  weight: number;
  /** energy-model table of a cpu/devfreq leaf; null for virtual nodes and table-less devices */
  table: LeafTable | null;
  /** instantaneous power (µW): a leaf's own reading (0 when unknown), a virtual node's the sum of its children */
  powerUw: number;
}

export const DTPM_WEIGHT_SCALE = 1024;

/** DIV64_U64_ROUND_CLOSEST / DIV_ROUND_CLOSEST_ULL for non-negative integers. */
export const divRoundClosest = (x: number, d: number): number => Math.floor((x + Math.floor(d / 2)) / d);

/**
 * get_max_power_range_uw() reports power_max − power_min, and sysfs has no min: so
 * min = max − max_power_range_uw. Null when either is unknown; never below 0.
 */
export function powerMinFromRange<T extends number | bigint>(maxUw: T | null, rangeUw: T | null): T | null {
  if (maxUw === null || rangeUw === null) return null;
  const m = (maxUw as number) - (rangeUw as number);
  return (m > 0 ? m : typeof maxUw === 'bigint' ? 0n : 0) as T;
}

/** What max_power_range_uw reads: power_max − power_min (dtpm.c, get_max_power_range_uw()). */
export function maxPowerRangeUw(node: Pick<DtpmNode, 'powerMaxUw' | 'powerMinUw'>): number {
  return node.powerMaxUw - node.powerMinUw;
}

/**
 * What power_uw reads: a device its own estimate, a virtual node the sum over its children,
 * recursively (dtpm.c, __get_power_uw()). Each virtual node's powerUw is set on the way.
 */
export function getPowerUw(node: DtpmNode): number {
  if (node.children.length === 0) return node.powerUw;
  node.powerUw = node.children.reduce((a, c) => a + getPowerUw(c), 0);
  return node.powerUw;
}

/** A leaf's bounds from its table (ops->update_power_uw). */
export function leafBounds(kind: DtpmKind, t: LeafTable): { minUw: number; maxUw: number } {
  return kind === 'devfreq' ? updateDevfreqPowerUw(t) : updatePdPowerUw(t);
}

/** A leaf's state for a limit (ops->set_power_uw). */
export function leafSetPowerLimit(kind: DtpmKind, t: LeafTable, limitUw: number): LeafChoice {
  return kind === 'devfreq' ? setDevfreqPowerLimit(t, limitUw) : setPdPowerLimit(t, limitUw);
}

/** Shared by every childless node: 10 000 leaves need no 10 000 empty arrays. */
const NO_CHILDREN: readonly DtpmNode[] = Object.freeze([]);

/** dtpm_init() + dtpm_register(): a new node; a leaf with a table gets its bounds, and its max as limit. */
export function newNode(name: string, kind: DtpmKind, table: LeafTable | null = null, zoneId: string | null = null): DtpmNode {
  // The power fields start as null and then take numbers, so V8 lays them out as "any value":
  // a node's µW are small integers (stored inline) until a sum passes 2^31. Laid out as small
  // integers they would be re-laid out, node by node, at the first such sum; laid out as doubles
  // every value would be boxed. 10 000 leaves of `model budget` paid tens of milliseconds either way.
  const unset = null as unknown as number;
  const node: DtpmNode = {
    name, kind, path: name, zoneId, device: null, parent: null, children: NO_CHILDREN,
    powerMinUw: unset, powerMaxUw: unset, powerLimitUw: unset, weight: unset, table, powerUw: unset,
  };
  node.powerMinUw = 0;
  node.powerMaxUw = 0;
  node.powerLimitUw = 0;
  node.weight = 0;
  node.powerUw = 0;
  if (table) {
    const b = leafBounds(kind, table);
    node.powerMinUw = b.minUw;
    node.powerMaxUw = b.maxUw;
    // dtpm_update_power(): a leaf with no limit yet gets its max
    node.powerLimitUw = b.maxUw;
  }
  return node;
}

/** dtpm_register() linking a child under its parent (list_add_tail: children keep their order). */
export function addChild(parent: DtpmNode, child: DtpmNode): void {
  child.parent = parent;
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else (parent.children as DtpmNode[]).push(child);
}

/**
 * dtpm_update_power() and __dtpm_add_power(): bounds bottom-up, leaves from their tables,
 * virtual nodes as the sums over their children.
 */
export function updatePower(node: DtpmNode): void {
  if (node.children.length === 0) {
    if (node.table) {
      const b = leafBounds(node.kind, node.table);
      node.powerMinUw = b.minUw;
      node.powerMaxUw = b.maxUw;
    }
    return;
  }
  let min = 0;
  let max = 0;
  for (const c of node.children) {
    updatePower(c);
    min += c.powerMinUw;
    max += c.powerMaxUw;
  }
  node.powerMinUw = min;
  node.powerMaxUw = max;
}

/** __dtpm_rebalance_weight(): every child's share of its parent's max on the 1024 scale; the root keeps 1024. */
export function rebalanceWeights(root: DtpmNode): void {
  root.weight = DTPM_WEIGHT_SCALE;
  const visit = (n: DtpmNode) => {
    for (const c of n.children) {
      c.weight = n.powerMaxUw > 0 ? divRoundClosest(c.powerMaxUw * DTPM_WEIGHT_SCALE, n.powerMaxUw) : 0;
      visit(c);
    }
  };
  visit(root);
}

/** updatePower() then rebalanceWeights(), from the root of the tree containing node. */
export function rebalance(node: DtpmNode): DtpmNode {
  let root = node;
  while (root.parent) root = root.parent;
  updatePower(root);
  rebalanceWeights(root);
  return root;
}

/** __set_power_limit_uw() between the boundary cases: DIV_ROUND_CLOSEST(limit × weight, 1024). */
export const weightedShare = (limitUw: number, weight: number): number => divRoundClosest(limitUw * weight, DTPM_WEIGHT_SCALE);

/** The share __set_power_limit_uw() gives a child of `node` when `node` is set to `limitUw`. */
export function childShare(node: DtpmNode, child: DtpmNode, limitUw: number): number {
  if (limitUw === node.powerMaxUw) return child.powerMaxUw;
  if (limitUw === node.powerMinUw) return child.powerMinUw;
  return weightedShare(limitUw, child.weight);
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
  /** set when the share fell below the node's minimum and the guard gave it the minimum */
  warning: string | null;
}

/**
 * set_power_limit_uw() on `node`: clamp to its bounds, then __set_power_limit_uw(). Returns one
 * step per node touched, in visiting order (the written node first). Mutates powerLimitUw of
 * the nodes touched; ancestors are left alone.
 */
export function setPowerLimitUw(node: DtpmNode, requestedUw: number): SplitStep[] {
  const steps: SplitStep[] = [];
  const clamped = Math.min(Math.max(requestedUw, node.powerMinUw), node.powerMaxUw);
  setPowerLimit(node, requestedUw, clamped, null, steps);
  return steps;
}

/**
 * __set_power_limit_uw(): a leaf applies its state; a virtual node hands each child its share
 * (childShare), unclamped except for our below-minimum guard, and stores the sum applied.
 */
export function setPowerLimit(node: DtpmNode, requestedUw: number, targetUw: number, warning: string | null, steps: SplitStep[]): number {
  // the numbers start as null for the same reason as newNode()'s fields
  const unset = null as unknown as number;
  const step: SplitStep = { node, requestedUw: unset, targetUw: unset, appliedUw: unset, choice: null, warning };
  step.requestedUw = requestedUw;
  step.targetUw = targetUw;
  step.appliedUw = 0;
  steps.push(step);
  if (node.children.length === 0) {
    if (node.table && node.table.states.length > 0) {
      const choice = leafSetPowerLimit(node.kind, node.table, targetUw);
      if (choice.belowMin) {
        step.warning = `${node.name}: target ${formatPower(targetUw)} is below its minimum ${formatPower(node.powerMinUw)}; clamped to the lowest state ` +
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
    const share = childShare(node, c, targetUw);
    let childTarget = share;
    let w: string | null = null;
    if (share < c.powerMinUw) {
      // kernel defect guard: never hand a child less than its minimum
      childTarget = c.powerMinUw;
      w = `${c.name}: its share ${formatPower(share)} is below its minimum ${formatPower(c.powerMinUw)}; clamped to the minimum`;
    }
    sum += setPowerLimit(c, share, childTarget, w, steps);
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
