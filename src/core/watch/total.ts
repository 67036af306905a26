/**
 * The "system" figure: the sum of the watched zones that do not overlap
 * (kernel.md §2: psys ⊇ package ⊇ core + uncore (+ dram on clients); the same
 * package may appear through MSR and MMIO). Summing every zone double counts.
 *
 * Among the watched zones, a zone is left out of the sum when
 * - one of its ancestors is watched (a subzone is part of its parent: core and
 *   uncore inside package, DTPM children inside their parent, so DTPM sums its
 *   roots only) — except a server's dram: on a package without core/uncore
 *   subzones (servers), DRAM is outside the package domain and is added;
 * - it comes through intel-rapl-mmio and the MSR zone (intel-rapl) of the same
 *   name is watched: the same package counted twice;
 * - it is psys and a package is summed: psys includes the packages. psys is
 *   summed only when no package is.
 */
export interface TotalZone {
  id: string;
  name: string | null;
  controlType: string;
  parent: string | null;
}

export interface SystemTotalPlan {
  /** ids of the zones summed, in watch order */
  summed: string[];
  excluded: Array<{ id: string; reason: string }>;
}

const RAPL = new Set(['intel-rapl', 'intel-rapl-mmio']);
const isPsys = (z: TotalZone) => RAPL.has(z.controlType) && z.parent === null && z.name === 'psys';

/**
 * @param zones the watched zones
 * @param childNames names of a zone's subzones in the whole tree (watched or not), to tell a client package from a server one
 */
export function planSystemTotal(zones: TotalZone[], childNames: (id: string) => string[]): SystemTotalPlan {
  const watched = new Map(zones.map((z) => [z.id, z]));
  const excluded = new Map<string, string>();

  const dramOutsidePackage = (z: TotalZone): boolean => {
    if (!RAPL.has(z.controlType) || z.name !== 'dram' || z.parent === null) return false;
    const siblings = childNames(z.parent);
    return !siblings.includes('core') && !siblings.includes('uncore');
  };

  for (const z of zones) {
    // a watched ancestor already contains this zone's energy (a server's dram is outside its package)
    let p = z.parent;
    if (p !== null && dramOutsidePackage(z)) p = parentOf(p);
    for (; p !== null; p = parentOf(p)) {
      if (watched.has(p)) {
        excluded.set(z.id, `inside ${p}`);
        break;
      }
    }
  }
  for (const z of zones) {
    if (excluded.has(z.id) || z.controlType !== 'intel-rapl-mmio') continue;
    const msr = zones.find((o) => o.controlType === 'intel-rapl' && o.name === z.name && o.parent === null && !excluded.has(o.id));
    if (msr && z.parent === null) excluded.set(z.id, `same package as ${msr.id} (MSR)`);
  }
  const packageSummed = zones.some((z) => RAPL.has(z.controlType) && !isPsys(z) && !excluded.has(z.id));
  for (const z of zones) {
    if (isPsys(z) && packageSummed && !excluded.has(z.id)) excluded.set(z.id, 'psys includes the packages');
  }
  return {
    summed: zones.filter((z) => !excluded.has(z.id)).map((z) => z.id),
    excluded: [...excluded].map(([id, reason]) => ({ id, reason })),
  };
}

/** The parent id from the zone id (`intel-rapl:0:1` → `intel-rapl:0`). */
function parentOf(id: string): string | null {
  const i = id.lastIndexOf(':');
  const p = id.slice(0, i);
  return p.includes(':') ? p : null;
}
