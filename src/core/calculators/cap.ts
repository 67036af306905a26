/**
 * What a power limit does to a DTPM tree or to one performance domain, computed without
 * writing anything (kernel/dtpm.ts): the tree is cloned and setPowerLimitUw() runs on the
 * clone. Per leaf: the limit it is handed, the state (OPP) and frequency cap it lands on,
 * the power applied, and the performance lost against the top state.
 * Performance is the energy model's (capacity × f / fmax) for CPUs; devices have none in the
 * EM, so their frequency stands for it.
 */
import { leafSetPowerLimit, setPowerLimitUw, type DtpmKind, type DtpmNode, type LeafChoice, type LeafTable, type SplitStep } from '../kernel/dtpm.js';

/** A deep copy of the subtree under `node` (parent links inside the copy only). */
export function cloneDtpm(node: DtpmNode, parent: DtpmNode | null = null): DtpmNode {
  const copy: DtpmNode = { ...node, parent };
  if (node.table) copy.table = { nrCpus: node.table.nrCpus, states: node.table.states.map((s) => ({ ...s })) };
  copy.children = node.children.length ? node.children.map((c) => cloneDtpm(c, copy)) : node.children;
  return copy;
}

export interface LeafCap {
  name: string;
  zoneId: string | null;
  kind: DtpmNode['kind'];
  nrCpus: number | null;
  /** what its parent handed it (before our below-minimum guard) */
  limitUw: number;
  stateIndex: number | null;
  frequencyCapKhz: number | null;
  maxFrequencyKhz: number | null;
  appliedUw: number;
  powerMaxUw: number;
  /** performance at the cap and at the top state (frequency in kHz where the EM has none) */
  performanceAtCap: number | null;
  performanceAtMax: number | null;
  performanceBasis: 'performance' | 'frequency' | null;
  /** 0–100, two decimals */
  performanceLostPct: number | null;
  warning: string | null;
}

type LeafCapFigures = Omit<LeafCap, 'name' | 'zoneId' | 'kind' | 'warning' | 'limitUw' | 'powerMaxUw'>;

/** A leaf of `kind` (cpu or devfreq) given `limitUw`: the state its set_pd_power_limit() lands on, and what that costs. */
export const leafCapOf = (kind: DtpmKind, table: LeafTable, limitUw: number): LeafCapFigures => leafCapFrom(table, leafSetPowerLimit(kind, table, limitUw));

/** The figures of a state the kernel chose (a split step's choice). */
function leafCapFrom(table: LeafTable, choice: LeafChoice): LeafCapFigures {
  const top = table.states[table.states.length - 1]!;
  const s = table.states[choice.index]!;
  const byPerf = (top.performance ?? 0) > 0;
  const atCap = byPerf ? s.performance! : s.frequencyKhz;
  const atMax = byPerf ? top.performance! : top.frequencyKhz;
  return {
    nrCpus: table.nrCpus,
    stateIndex: choice.index,
    frequencyCapKhz: choice.frequencyKhz,
    maxFrequencyKhz: top.frequencyKhz,
    appliedUw: choice.appliedUw,
    performanceAtCap: atCap,
    performanceAtMax: atMax,
    performanceBasis: byPerf ? 'performance' : 'frequency',
    performanceLostPct: Math.round(((atMax - atCap) / atMax) * 10000) / 100,
  };
}

export interface TreeCap {
  node: string;
  zoneId: string | null;
  requestedUw: number;
  /** the limit after the kernel's clamp to [min, max] at the written node */
  clampedUw: number;
  /** what the node would store: the sum of what its leaves applied */
  appliedUw: number;
  powerMinUw: number;
  powerMaxUw: number;
  leaves: LeafCap[];
  steps: SplitStep[];
}

/** Run a limit on a copy of `node`'s subtree; the original is left as it was. */
export function capTree(node: DtpmNode, limitUw: number): TreeCap {
  const copy = cloneDtpm(node);
  const steps = setPowerLimitUw(copy, limitUw);
  const leaves: LeafCap[] = [];
  for (const st of steps) {
    const n = st.node;
    if (n.children.length > 0) continue;
    // plain literals with every field (no spreads): 10 000 leaves must stay cheap
    const perf = n.table && st.choice ? leafCapFrom(n.table, st.choice) : null;
    leaves.push({
      name: n.name, zoneId: n.zoneId, kind: n.kind, nrCpus: perf ? perf.nrCpus : null, limitUw: st.requestedUw,
      stateIndex: perf ? perf.stateIndex : null, frequencyCapKhz: perf ? perf.frequencyCapKhz : null, maxFrequencyKhz: perf ? perf.maxFrequencyKhz : null,
      appliedUw: st.appliedUw, powerMaxUw: n.powerMaxUw,
      performanceAtCap: perf ? perf.performanceAtCap : null, performanceAtMax: perf ? perf.performanceAtMax : null,
      performanceBasis: perf ? perf.performanceBasis : null, performanceLostPct: perf ? perf.performanceLostPct : null,
      warning: st.warning,
    });
  }
  const first = steps[0]!;
  return {
    node: node.name, zoneId: node.zoneId, requestedUw: limitUw, clampedUw: first.targetUw, appliedUw: first.appliedUw,
    powerMinUw: node.powerMinUw, powerMaxUw: node.powerMaxUw, leaves, steps,
  };
}
