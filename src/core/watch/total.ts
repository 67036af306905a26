/**
 * The "system" figure: the sum of the watched zones that do not overlap.
 * Summing every zone double counts; docs/watch.md ("The system total") gives the
 * rule with its reasons. In short, among the watched zones:
 *
 * 1. Zones that read the same counter are one zone. The MMIO copy of a RAPL
 *    package (intel-rapl-mmio, registered only by processor_thermal_rapl.c on
 *    clients) reads the same package as its MSR zone of the same name
 *    (intel_rapl_msr.c); the MSR one is kept. TPMI (intel_rapl_tpmi.c) registers
 *    under intel-rapl itself, with no second copy. AMD's die zones
 *    (`package-N-die-M`, energy only: no constraint files) of one package read
 *    one per-package counter: AMD energy MSRs are package-scoped, and kernels
 *    before commit 26096aed255f still made a zone per die (intel_rapl_common.c,
 *    rapl_add_package_cpuslocked, rapl_msrs_are_pkg_scope); the lowest die is kept.
 * 2. A zone that contains another is summed, its parts not at all:
 *    psys (`psys-N` where its package is not package 0) ⊇ every package and its
 *    subzones, and a second psys zone is counted in the first; a package ⊇ core, uncore and, on a
 *    client, dram (a server package has no core/uncore subzones, and its DRAM
 *    domain is outside the package domain); a DTPM node ⊇ its children
 *    (drivers/powercap/dtpm.c: a virtual node's power is the sum of its children),
 *    so DTPM sums its roots; SCMI zones nest as the firmware's domains do
 *    (arm_scmi_powercap.c) and are summed the same way. Containment is by RAPL name path, so an MSR package
 *    also contains the MMIO copy of its core.
 */
import { isRaplType, RAPL_MMIO_CONTROL_TYPE } from '../kernel/rapl.js';

export interface TotalZone {
  id: string;
  name: string | null;
  controlType: string;
  parent: string | null;
  /** whether the zone has constraint files (AMD's energy-only zones have none); unknown counts as yes */
  hasConstraints?: boolean;
}

/** What the plan needs of the whole tree, watched or not. */
export interface TotalTree {
  /** names of a zone's subzones */
  childNames(id: string): string[];
  /** a zone's name, for ancestors that are not watched */
  nameOf(id: string): string | null;
}

export interface SystemTotalPlan {
  /** ids of the zones summed, in watch order */
  summed: string[];
  /** the watched zones left out, each with why */
  excluded: Array<{ id: string; reason: string }>;
}

const AMD_DIE = /^package-([0-9]+)-die-[0-9]+$/;

export function planSystemTotal(zones: TotalZone[], tree: TotalTree): SystemTotalPlan {
  const excluded = new Map<string, string>();
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = parentOf(id); p !== null; p = parentOf(p)) out.push(p);
    return out;
  };
  const watched = new Map(zones.map((z) => [z.id, z]));
  const nameOf = (id: string) => watched.get(id)?.name ?? tree.nameOf(id) ?? id;

  // RAPL zones by what they measure: names from the top (`package-0/core`), AMD dies as their package
  const namePath = (z: TotalZone): string[] => {
    const path = [...ancestors(z.id).reverse().map(nameOf), z.name ?? z.id];
    const top = watched.get(topOf(z.id)) ?? { id: topOf(z.id), name: path[0]!, controlType: z.controlType, parent: null };
    const die = AMD_DIE.exec(path[0]!);
    if (die && top.hasConstraints === false) path[0] = `package-${die[1]}`;
    return path;
  };
  const raplPath = new Map<string, string[]>();
  for (const z of zones) if (isRaplType(z.controlType)) raplPath.set(z.id, namePath(z));

  // 1. one zone per counter: MSR before MMIO, then watch order
  const byCounter = new Map<string, TotalZone>();
  const order = [...zones].sort((a, b) => Number(a.controlType === RAPL_MMIO_CONTROL_TYPE) - Number(b.controlType === RAPL_MMIO_CONTROL_TYPE));
  for (const z of order) {
    const path = raplPath.get(z.id);
    if (!path) continue;
    const key = path.join('/');
    const first = byCounter.get(key);
    if (!first) {
      byCounter.set(key, z);
    } else if (first.controlType !== z.controlType) {
      excluded.set(z.id, `same ${z.parent === null ? 'package' : 'counter'} as ${first.id} (MSR)`);
    } else {
      excluded.set(z.id, `same package counter as ${first.id} (AMD dies of one package)`);
    }
  }

  // 2. a kept zone inside another kept zone is left out
  // `psys`, or `psys-N` when the package that enumerates it is not package 0 (intel_rapl_common.c,
  // rapl_init_domains; on TPMI only the domain root has one: intel_rapl_tpmi.c, parse_one_domain)
  const isPsys = (z: TotalZone) => isRaplType(z.controlType) && z.parent === null && z.name !== null && /^psys(-[0-9]+)?$/.test(z.name);
  const dramOutsidePackage = (z: TotalZone): boolean => {
    if (!isRaplType(z.controlType) || z.name !== 'dram' || z.parent === null) return false;
    const siblings = tree.childNames(z.parent);
    return !siblings.includes('core') && !siblings.includes('uncore');
  };
  // Each kept zone looks up its containers (a lookup per ancestor, not a comparison with every
  // other zone: 4096 zones are planned in milliseconds). The outermost kept container names it.
  const kept = zones.filter((z) => !excluded.has(z.id));
  const keptIds = new Set(kept.map((z) => z.id));
  const psys = kept.find(isPsys);
  const keptByPath = new Map<string, TotalZone>();
  for (const z of kept) {
    const p = raplPath.get(z.id);
    if (p) keptByPath.set(p.join('/'), z);
  }
  const outerOf = (z: TotalZone): TotalZone | undefined => {
    const path = raplPath.get(z.id);
    if (path) {
      // the first psys holds the platform; a second one is counted in it, never beside it
      if (isPsys(z)) return z === psys ? undefined : psys;
      if (psys) return psys; // the platform holds every package and subzone
      // the shortest kept prefix of its name path; a server's DRAM is outside its package domain
      const outside = dramOutsidePackage(z);
      for (let n = 1; n < path.length; n++) {
        if (outside && n === path.length - 1) break;
        const holder = keptByPath.get(path.slice(0, n).join('/'));
        if (holder) return holder;
      }
      return undefined;
    }
    const up = ancestors(z.id).reverse(); // from the root down: the first kept one is the outermost
    const holder = up.find((a) => keptIds.has(a) && !raplPath.has(a));
    return holder === undefined ? undefined : watched.get(holder);
  };
  for (const z of kept) {
    const outer = outerOf(z);
    if (outer) excluded.set(z.id, `inside ${outer.id}${isPsys(outer) ? ' (psys)' : ''}`);
  }
  return {
    summed: zones.filter((z) => !excluded.has(z.id)).map((z) => z.id),
    excluded: zones.filter((z) => excluded.has(z.id)).map((z) => ({ id: z.id, reason: excluded.get(z.id)! })),
  };
}

/** The parent id from the zone id (`intel-rapl:0:1` → `intel-rapl:0`). */
function parentOf(id: string): string | null {
  const i = id.lastIndexOf(':');
  const p = id.slice(0, i);
  return p.includes(':') ? p : null;
}

/** The top-level zone of an id (`intel-rapl:0:1` → `intel-rapl:0`). */
function topOf(id: string): string {
  const parts = id.split(':');
  return parts.slice(0, 2).join(':');
}
