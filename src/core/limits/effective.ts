/**
 * Effective limits: one package can appear twice, through MSR (`intel-rapl:0`)
 * and through MMIO (`intel-rapl-mmio:0`), each copy with its own limits, and the
 * lower one is in force (drivers/powercap/intel_rapl_msr.c and
 * drivers/thermal/intel/int340x_thermal/processor_thermal_rapl.c register the
 * same package domain with the common RAPL code, each writing its own register).
 * So a bare package name that means exactly these two copies means both: setting
 * one alone does not give what was asked. `only` restricts a reference to one
 * control type (`--only intel-rapl`). set-limit and apply both resolve names here;
 * list and tree show the effective limit from effectiveLimit().
 */
import { notFound } from '../errors.js';
import type { PowercapTree, Zone } from '../zones/model.js';
import { resolveZone } from '../zones/select.js';
import { isRaplType } from '../kernel/rapl.js';

/** The MSR and MMIO copies of one package: top-level RAPL zones of one name in two RAPL control types. */
export function raplCopies(tree: PowercapTree, name: string): Zone[] | null {
  const m = tree.zones.filter((z) => z.name === name);
  if (m.length !== 2) return null;
  const [a, b] = m as [Zone, Zone];
  const isTop = (z: Zone) => z.parent === null && isRaplType(z.controlType);
  return isTop(a) && isTop(b) && a.controlType !== b.controlType ? [a, b] : null;
}

/** The zones a reference means: one zone, or both copies of one package. */
export function effectiveZones(tree: PowercapTree, ref: string, only?: string): { zones: Zone[]; pair: boolean } {
  if (only !== undefined) {
    if (!tree.controlTypes.some((c) => c.name === only)) {
      throw notFound(`no control type '${only}' (--only)`, `control types here: ${tree.controlTypes.map((c) => c.name).join(', ') || 'none'}`);
    }
    // the reference is looked up among that control type's zones only: a package name then means one copy
    const byId = tree.byId.get(ref);
    if (byId) return { zones: byId.controlType === only ? [byId] : [], pair: false };
    const copies = !ref.includes('/') ? raplCopies(tree, ref) : null;
    if (copies) return { zones: copies.filter((z) => z.controlType === only), pair: false };
    const z = resolveZone(tree, ref);
    return { zones: z.controlType === only ? [z] : [], pair: false };
  }
  if (!tree.byId.has(ref) && !ref.includes('/')) {
    const copies = raplCopies(tree, ref);
    if (copies) return { zones: copies, pair: true };
  }
  return { zones: [resolveZone(tree, ref)], pair: false };
}

/** The other copy of a package zone (MSR ↔ MMIO), or null when it has none. */
export function otherCopy(tree: PowercapTree, zone: Zone): Zone | null {
  if (zone.name === null || zone.parent !== null || !isRaplType(zone.controlType)) return null;
  const copies = raplCopies(tree, zone.name);
  return copies?.find((z) => z !== zone) ?? null;
}

/**
 * The limit in force for one constraint of a package that has two copies: the lower of the
 * two copies' limits of the same constraint name, and the copy holding it. Null when the zone
 * has no other copy, or either limit is unknown.
 */
export function effectiveLimit(tree: PowercapTree, zone: Zone, constraintName: string | null): { powerLimitUw: bigint; zone: Zone } | null {
  if (constraintName === null) return null;
  const other = otherCopy(tree, zone);
  if (!other) return null;
  const mine = zone.constraints.find((c) => c.name === constraintName)?.powerLimitUw ?? null;
  const theirs = other.constraints.find((c) => c.name === constraintName)?.powerLimitUw ?? null;
  if (mine === null || theirs === null) return null;
  // a limit of 0 on a RAPL copy is a real limit of 0 W (the lower still wins)
  return theirs < mine ? { powerLimitUw: theirs, zone: other } : { powerLimitUw: mine, zone };
}
