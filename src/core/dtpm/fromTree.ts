/**
 * Building DtpmNode trees from what a source shows: the `dtpm` zones of a powercap
 * tree, the registry of power devices (snapshot) and the energy model (debugfs).
 * A live tree has no registry file; its leaves are recognised by name:
 * `cpu<N>-cpufreq` is the cpufreq leaf of domain `cpu<N>`, any other childless
 * zone whose name is an energy-model domain is a devfreq leaf.
 */
import type { RegistryEntry } from './device.js';
import type { PerfDomain } from '../em/debugfs.js';
import type { PowercapTree, Zone } from '../zones/model.js';
import { updatePower, rebalanceWeights, powerMinFromRange, newNode, addChild, type DtpmNode, type LeafTable } from '../kernel/dtpm.js';

export const DTPM_CONTROL_TYPE = 'dtpm';

/** The registry entry a live tree implies for a device name, when the energy model knows it. */
export function inferRegistryEntry(name: string, domains: PerfDomain[]): RegistryEntry | null {
  const cpu = /^cpu([0-9]+)-cpufreq$/.exec(name);
  if (cpu) {
    const d = domains.find((x) => x.name === `cpu${cpu[1]}`) ?? domains.find((x) => x.cpus?.includes(Number(cpu[1])));
    return d ? { name, kind: 'cpu', domain: d.name, cpus: d.cpus, onlineCpus: null } : null;
  }
  const base = name.replace(/-devfreq$/, '');
  const d = domains.find((x) => x.name === name || x.name === base);
  return d ? { name, kind: 'devfreq', domain: d.name, cpus: null } : null;
}

/** The energy-model table and CPU count a registered device's DTPM leaf uses. */
export function leafTableFor(entry: RegistryEntry, domains: PerfDomain[]): LeafTable | null {
  if (!entry.domain) return null;
  const d = domains.find((x) => x.name === entry.domain);
  if (!d || d.states.length === 0) return null;
  // pre-6.0 kernels in mW: dtpm_cpu.c scales to µW
  const scale = d.microwatts ? 1 : 1000;
  const nrCpus = entry.kind === 'cpu' ? (entry.onlineCpus ?? entry.cpus ?? d.cpus ?? [0]).length : 1;
  return {
    nrCpus: Math.max(nrCpus, 1),
    states: d.states.map((s) => ({ frequencyKhz: s.frequencyKhz, powerUw: s.powerUw * scale, performance: s.performance })),
  };
}

export interface DtpmForest {
  roots: DtpmNode[];
  byZone: Map<string, DtpmNode>;
  zoneOf: Map<DtpmNode, Zone>;
}

const toNum = (v: bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** The DTPM nodes of a tree, with bounds, limits as stored, and the kernel's weights. */
export function buildDtpmForest(tree: PowercapTree, registry: RegistryEntry[], domains: PerfDomain[]): DtpmForest {
  const byZone = new Map<string, DtpmNode>();
  const zoneOf = new Map<DtpmNode, Zone>();
  const roots: DtpmNode[] = [];
  const byName = new Map(registry.map((r) => [r.name, r] as const));
  for (const z of tree.zones) {
    if (z.controlType !== DTPM_CONTROL_TYPE) continue;
    const name = z.name ?? z.id;
    const entry = z.children.length === 0 ? (byName.get(name) ?? inferRegistryEntry(name, domains)) : null;
    const table = entry ? leafTableFor(entry, domains) : null;
    // seed 000: a name found in the registry is a device; any other name is a virtual node
    const kind = entry && z.children.length === 0 ? entry.kind : 'virtual';
    const node = newNode(name, kind, table, z.id);
    const c0 = z.constraints[0];
    if (!table) {
      // bounds as sysfs shows them: max = constraint_0_max_power_uw, min = max − max_power_range_uw
      const max = toNum(c0?.maxPowerUw) ?? (entry?.powerMaxUw ?? 0);
      node.powerMaxUw = max;
      node.powerMinUw = powerMinFromRange(max, toNum(z.maxPowerRangeUw)) ?? (entry?.powerMinUw ?? 0);
    }
    node.powerLimitUw = toNum(c0?.powerLimitUw) ?? node.powerLimitUw;
    byZone.set(z.id, node);
    zoneOf.set(node, z);
    const parent = z.parent ? byZone.get(z.parent) : undefined;
    if (parent) addChild(parent, node);
    else roots.push(node);
  }
  for (const r of roots) {
    updatePower(r);
    rebalanceWeights(r);
  }
  return { roots, byZone, zoneOf };
}
