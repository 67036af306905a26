/**
 * The DTPM nodes of a powercap tree (live or snapshot): the `dtpm` zones read as node specs
 * (zoneSpecs) and built by the one builder (hierarchy.ts buildHierarchy), with maps from zone ids.
 * A live tree has no registry file; its leaves are recognised by name (device.ts
 * inferRegistryEntry); a leaf the energy model does not know stays a virtual node here.
 */
import type { RegistryEntry } from './device.js';
import type { PerfDomain } from '../em/debugfs.js';
import type { PowercapTree, Zone } from '../zones/powercap-tree.js';
import { DTPM_CONTROL_TYPE, powerMinFromRange, type DtpmNode } from '../kernel/dtpm.js';
import { buildHierarchy, type Hierarchy, type NodeSpec } from './hierarchy.js';

export { DTPM_CONTROL_TYPE } from '../kernel/dtpm.js';
export { inferRegistryEntry, leafTableFor } from './device.js';

const toNum = (v: bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** The `dtpm` zones of a powercap tree as node specs, parents first, with what sysfs shows of each. */
export function zoneSpecs(tree: PowercapTree): { specs: NodeSpec[]; zones: Zone[] } {
  const zones = tree.zones.filter((z) => z.controlType === DTPM_CONTROL_TYPE);
  const index = new Map<string, number>();
  const specs = zones.map((z, i): NodeSpec => {
    index.set(z.id, i);
    const c0 = z.constraints[0];
    const max = toNum(c0?.maxPowerUw);
    return {
      name: z.name ?? z.id,
      parent: z.parent !== null && index.has(z.parent) ? index.get(z.parent)! : null,
      zoneId: z.id,
      limitUw: toNum(c0?.powerLimitUw),
      powerUw: toNum(z.powerUw),
      // sysfs has no min: max − max_power_range_uw
      sysfsBounds: max === null ? null : { maxUw: max, minUw: powerMinFromRange(max, toNum(z.maxPowerRangeUw)) },
    };
  });
  return { specs, zones };
}

export interface DtpmForest extends Hierarchy {
  byZone: Map<string, DtpmNode>;
  zoneOf: Map<DtpmNode, Zone>;
}

/** The DTPM nodes of a tree, with bounds, limits as stored, and the kernel's weights. */
export function buildDtpmForest(tree: PowercapTree, registry: RegistryEntry[], domains: PerfDomain[]): DtpmForest {
  const { specs, zones } = zoneSpecs(tree);
  const h = buildHierarchy(specs, registry, domains, { leaves: 'inferred' });
  const byZone = new Map<string, DtpmNode>();
  const zoneOf = new Map<DtpmNode, Zone>();
  h.nodes.forEach((n, i) => {
    byZone.set(zones[i]!.id, n);
    zoneOf.set(n, zones[i]!);
  });
  return { ...h, byZone, zoneOf };
}
