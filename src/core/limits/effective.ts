/**
 * Effective limits: one package can appear twice, through MSR (`intel-rapl:0`)
 * and through MMIO (`intel-rapl-mmio:0`), each copy with its own limits
 * (drivers/powercap/intel_rapl_msr.c and
 * drivers/thermal/intel/int340x_thermal/processor_thermal_rapl.c register the
 * same package domain with the common RAPL code, each writing its own register).
 * So a bare package name that means exactly these two copies means both: setting
 * one alone does not give what was asked. `only` restricts a reference to one
 * control type (intel-rapl: the MSR copy only). set-limit and apply both resolve names here.
 *
 * Which limit is in force is decided once, by limitInForce() (docs/set-limit.md
 * "Which limit is in force"): list, tree, set-limit's note on the other copy, the
 * exporter and doctor all ask it.
 */
import { notFound } from '../errors.js';
import type { PowercapTree, Zone } from '../zones/powercap-tree.js';
import { resolveZone } from '../zones/select.js';
import { isRaplType, RAPL_MMIO_CONTROL_TYPE, RAPL_MSR_CONTROL_TYPE } from '../kernel/rapl.js';

/** The MSR and MMIO copies of one package (MSR first): top-level RAPL zones of one name in two RAPL control types. */
export function raplCopies(tree: PowercapTree, name: string): Zone[] | null {
  const m = tree.zones.filter((z) => z.name === name);
  if (m.length !== 2) return null;
  const [a, b] = m as [Zone, Zone];
  const isTop = (z: Zone) => z.parent === null && isRaplType(z.controlType);
  if (!isTop(a) || !isTop(b) || a.controlType === b.controlType) return null;
  return b.controlType === RAPL_MSR_CONTROL_TYPE ? [b, a] : [a, b];
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

/**
 * The other RAPL interface to the same packages: intel-rapl (MSR) ↔ intel-rapl-mmio (MMIO); null for a
 * control type that is not RAPL. Each interface writes its own register with its own lock bit, so a
 * limit locked by firmware in one may still be set through the other.
 */
export function otherRaplInterface(controlType: string): string | null {
  if (controlType === RAPL_MSR_CONTROL_TYPE) return RAPL_MMIO_CONTROL_TYPE;
  if (controlType === RAPL_MMIO_CONTROL_TYPE) return RAPL_MSR_CONTROL_TYPE;
  return null;
}

/** The other copy of a package zone (MSR ↔ MMIO), or null when it has none. */
export function otherCopy(tree: PowercapTree, zone: Zone): Zone | null {
  if (zone.name === null || zone.parent !== null || !isRaplType(zone.controlType)) return null;
  const copies = raplCopies(tree, zone.name);
  return copies?.find((z) => z !== zone) ?? null;
}

/** One copy's side of a constraint: its limit, and whether its zone is enabled. */
export interface CopyLimit<Z> {
  zone: Z;
  /** constraint_N_power_limit_uw; null when it could not be read */
  powerLimitUw: bigint | null;
  /** the zone's `enabled`; null when it could not be read (a zone without the file passes true) */
  enabled: boolean | null;
}

/** What holds a package to a limit, for one constraint name. */
export type InForce<Z> =
  /** the limit in force; `zones`: the copies holding it (two on a tie), `zone` the first of them */
  | { kind: 'held'; powerLimitUw: bigint; zone: Z; zones: Z[] }
  /** no copy holds a limit of this name: every copy is disabled */
  | { kind: 'none' }
  /** a value that would decide it could not be read */
  | { kind: 'unknown' };

/**
 * The limit a package is held to, from its copies (MSR first):
 * - a copy whose zone is disabled (`enabled` reads 0) holds nothing: the kernel clears the
 *   enable bit of PL1 (and, through set_floor_freq_default, of PL2 and PL4) and the
 *   hardware stops enforcing that register's limits (intel_rapl_common.c, set_domain_enable);
 * - an enabled copy holds its limit, 0 W included: set_power_limit writes the limit
 *   field alone (rapl_write_pl_data(PL_LIMIT), 0 W → 0 power units) and leaves the enable
 *   bit as it is, so the hardware is asked to hold the package at 0 W and throttles it as
 *   far as it can;
 * - the lowest limit held is in force; on a tie the first copy (MSR) names it.
 * Worked example, the laptop (MSR long_term 28 W, MMIO 15 W): both enabled → 15 W, held by
 * the MMIO copy; MMIO disabled → 28 W, held by MSR; MMIO enabled at 0 W → 0 W, held by MMIO.
 */
export function limitInForce<Z>(copies: ReadonlyArray<CopyLimit<Z>>): InForce<Z> {
  let best: bigint | null = null;
  for (const c of copies) {
    if (c.enabled === false) continue;
    if (c.powerLimitUw === null) return { kind: 'unknown' };
    if (c.enabled === true && (best === null || c.powerLimitUw < best)) best = c.powerLimitUw;
  }
  // a copy whose enabled state is unknown decides the answer when its limit is below the rest
  if (copies.some((c) => c.enabled === null && (best === null || c.powerLimitUw! < best))) return { kind: 'unknown' };
  if (best === null) return { kind: 'none' };
  const zones = copies.filter((c) => c.enabled === true && c.powerLimitUw === best).map((c) => c.zone);
  return { kind: 'held', powerLimitUw: best, zone: zones[0]!, zones };
}

/** The limit a zone is held to over all its constraints: µW, `none` (not limited), or `unknown`. */
export type ZoneLimit = bigint | 'none' | 'unknown';

/**
 * The limit a zone is held to over all its constraints, from each constraint's limit in force
 * (limitInForce, the copies of a package together): the lowest one held, since power above it
 * is what the hardware pulls down (RAPL's PL1 below PL2, a DTPM node's one constraint); `none`
 * when no constraint holds one (every copy disabled, a DTPM node not limited); `unknown` when
 * none is held and a value that would decide it could not be read. A constraint whose value
 * could not be read does not hide a lower one that could.
 */
export function lowestInForce(each: ReadonlyArray<InForce<unknown>>): ZoneLimit {
  let best: bigint | null = null;
  let unknown = false;
  for (const f of each) {
    if (f.kind === 'held') { if (best === null || f.powerLimitUw < best) best = f.powerLimitUw; }
    else if (f.kind === 'unknown') unknown = true;
  }
  return best ?? (unknown ? 'unknown' : 'none');
}

/** A zone's `enabled` as limitInForce() takes it: a zone without the file is not disabled. */
export const zoneEnabled = (z: Zone): boolean | null => (z.files.has('enabled') ? z.enabled : true);

/**
 * The limit in force for one constraint (by name) of a package that has two copies, or null
 * when the zone has no other copy or the other copy has no constraint of that name.
 */
export function effectiveLimit(tree: PowercapTree, zone: Zone, constraintName: string | null): InForce<Zone> | null {
  if (constraintName === null) return null;
  const other = otherCopy(tree, zone);
  if (!other) return null;
  const copies = raplCopies(tree, zone.name!)!;
  const sides: Array<CopyLimit<Zone>> = [];
  for (const z of copies) {
    const c = z.constraints.find((x) => x.name === constraintName);
    if (!c) return null;
    sides.push({ zone: z, powerLimitUw: c.powerLimitUw, enabled: zoneEnabled(z) });
  }
  return limitInForce(sides);
}
