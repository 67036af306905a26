/**
 * Where a DTPM hierarchy is built (seed 000), and reading what one holds now:
 * - `{ kind: 'snapshot', source }`: a snapshot behind its emulated kernel (source/emulated.ts), whose
 *   hierarchy IS the `dtpm` control type's zones, made and removed by that kernel only;
 * - `{ kind: 'configfs', dir, registry, domains }`: a configfs-style directory (the seed's
 *   interface, configfs.ts); `registry` and `domains` tell which names the kernel would take as
 *   devices and their numbers;
 * - `{ kind: 'live', powercap, energyModel }`: a live sysfs tree, read-only: the kernel builds the
 *   hierarchy at boot (drivers/soc/rockchip/dtpm.c), so changes are refused with an explanation.
 */
import type { RegistryEntry } from './device.js';
import type { Source } from '../source/types.js';
import type { EmulatedSource } from '../source/emulated.js';
import { readPowercapTree, type Zone } from '../zones/powercap-tree.js';
import { readEnergyModel, type PerfDomain } from '../em/debugfs.js';
import { invalidData, refused } from '../errors.js';
import { zoneSpecs } from './fromTree.js';
import { buildHierarchy, type Hierarchy, type NodeSpec } from './hierarchy.js';
import { readConfigfs } from './configfs.js';
import { liveRegistry } from './registry.js';

export type DtpmTarget =
  | { kind: 'snapshot'; source: EmulatedSource; dryRun?: boolean }
  | { kind: 'configfs'; dir: string; registry: RegistryEntry[]; domains: PerfDomain[]; dryRun?: boolean }
  | { kind: 'live'; powercap: Source; energyModel: Source | null };

/** The hierarchy a target holds now. */
export function readHierarchy(target: DtpmTarget): Hierarchy {
  switch (target.kind) {
    case 'snapshot':
      return target.source.dtpmHierarchy();
    case 'configfs':
      return buildHierarchy(readConfigfs(target.dir), target.registry, target.domains);
    case 'live': {
      const domains = target.energyModel ? readEnergyModel(target.energyModel) : [];
      const { specs, zones } = treeSpecs(target.powercap);
      const leaves = zones.filter((z) => z.children.length === 0).map((z) => z.name ?? z.id);
      const h = buildHierarchy(specs, [], domains, { leaves: 'all-devices' });
      // the live registry: the leaves as devices plus energy-model domains not placed
      return { ...h, registry: liveRegistryOf(leaves, domains, h) };
    }
  }
}

function liveRegistryOf(leaves: string[], domains: PerfDomain[], h: Hierarchy): RegistryEntry[] {
  const reg = liveRegistry(leaves, domains);
  // use the entries the hierarchy resolved, so placement compares by identity of name
  return reg.map((e) => h.nodes.find((n) => n.device?.name === e.name)?.device ?? e);
}

/** The `dtpm` zones of a source as node specs, parents first (fromTree.ts zoneSpecs). */
function treeSpecs(source: Source): { specs: NodeSpec[]; zones: Zone[] } {
  if (source.list('') === null) return { specs: [], zones: [] };
  return zoneSpecs(readPowercapTree(source));
}

export function assertConsistent(h: Hierarchy, where: string): void {
  if (h.problems.length) {
    throw invalidData(`${where}: inconsistent DTPM hierarchy: ${h.problems[0]!.message}${h.problems.length > 1 ? ` (and ${h.problems.length - 1} more)` : ''}`,
      'see them all with `powercapctl dtpm check`; fix the file before changing it');
  }
}

export function targetLabel(target: DtpmTarget): string {
  switch (target.kind) {
    case 'snapshot': return target.source.snapshot.path;
    case 'configfs': return target.dir;
    case 'live': return target.powercap.info.kind === 'live' ? target.powercap.info.root : 'live tree';
  }
}

export function refuseLive(): never {
  throw refused('this kernel builds the DTPM hierarchy at boot from a per-SoC table (drivers/soc/*/dtpm.c): it cannot be changed at run time', undefined, 'built-at-boot');
}
