/**
 * Which zones a watch reads, and how: `energy_uj` (a wrapping counter,
 * powercap_sys.c, intel_rapl_common.c) or, for zones that report instantaneous power (DTPM),
 * `power_uw`. The zone paths come from one read of the tree; each sample then
 * reads one file per zone and nothing else.
 */
import { Exit, exitForErrno } from '../errors.js';
import type { Source } from '../source/types.js';
import { defaultConstraint, parseKernelInt, zoneAttr, type Zone } from '../zones/powercap-tree.js';

export type WatchAttr = 'energy_uj' | 'power_uw';

export interface WatchZone {
  id: string;
  name: string | null;
  controlType: string;
  parent: string | null;
  depth: number;
  attr: WatchAttr;
  /** the file read each sample, relative to the source root */
  path: string;
  /** where the counter wraps (energy zones), null when unknown */
  maxEnergyRangeUj: bigint | null;
  /** the highest power the zone can plausibly draw, µW (see plausiblePowerBoundUw) */
  maxPowerUw: bigint;
  /** the default constraint's limit (long_term), for "how close to the limit" */
  limitUw: bigint | null;
}

/** A reading of one sample: the value, or the errno (`EINVAL`, `ENOENT`, …; `invalid` for text that is no integer). */
export type Reading = bigint | string;

/** With nothing better known: 1 kW, far above any one socket, DRAM channel or SoC. */
export const DEFAULT_MAX_POWER_UW = 1_000_000_000n;

/**
 * The highest power a zone can plausibly draw, used to tell a wrap from a
 * reset and to see when an interval is long enough for two wraps:
 * `max_power_range_uw` when the driver gives one; else twice the largest
 * constraint figure (limits and max_power_uw: PL4 is the hardware's peak) of
 * the zone or, for a subzone without its own (core, uncore, dram limits of 0),
 * of its parent; else DEFAULT_MAX_POWER_UW.
 */
export function plausiblePowerBoundUw(zone: Zone, byId: Map<string, Zone>): bigint {
  for (let z: Zone | undefined = zone; z; z = z.parent ? byId.get(z.parent) : undefined) {
    if (z.maxPowerRangeUw !== null && z.maxPowerRangeUw > 0n) return z.maxPowerRangeUw;
    let best = 0n;
    for (const c of z.constraints) {
      for (const v of [c.maxPowerUw, c.powerLimitUw]) if (v !== null && v > best) best = v;
    }
    if (best > 0n) return 2n * best;
  }
  return DEFAULT_MAX_POWER_UW;
}

export type SkipReason = 'permission' | 'no-reading';

export interface WatchPlan {
  zones: WatchZone[];
  /** selected zones that cannot be watched, and why */
  skipped: Array<{ zone: Zone; reason: SkipReason; errno?: string }>;
}

const denied = (errno: string | undefined) => errno !== undefined && exitForErrno(errno) === Exit.PERMISSION;

/**
 * Plan a watch of the selected zones: energy_uj when it is readable, else
 * power_uw; a zone whose energy_uj is root-only and that reports no power is
 * skipped with reason `permission` (powercap_sys.c: energy_uj is 0400 since
 * CVE-2020-8694); a zone with neither file is skipped with `no-reading`.
 * Other read errors (EIO, ENODATA) keep the zone: they become gaps.
 */
export function planWatch(selected: Zone[], byId: Map<string, Zone>): WatchPlan {
  const plan: WatchPlan = { zones: [], skipped: [] };
  for (const z of selected) {
    const energyErr = z.unreadable.energy_uj;
    const hasEnergy = z.files.has('energy_uj') && !denied(energyErr);
    const powerErr = z.unreadable.power_uw;
    const hasPower = z.files.has('power_uw') && !denied(powerErr);
    const attr: WatchAttr | null = hasEnergy ? 'energy_uj' : hasPower ? 'power_uw' : null;
    if (attr === null) {
      const errno = energyErr ?? powerErr;
      if (errno && denied(errno)) plan.skipped.push({ zone: z, reason: 'permission', errno });
      else plan.skipped.push({ zone: z, reason: 'no-reading' });
      continue;
    }
    plan.zones.push({
      id: z.id,
      name: z.name,
      controlType: z.controlType,
      parent: z.parent,
      depth: z.depth,
      attr,
      path: zoneAttr(z, attr),
      maxEnergyRangeUj: attr === 'energy_uj' ? z.maxEnergyRangeUj : null,
      maxPowerUw: plausiblePowerBoundUw(z, byId),
      limitUw: defaultConstraint(z)?.powerLimitUw ?? null,
    });
  }
  return plan;
}

const U64 = 2n ** 64n;

/** Parse one attribute's text: the kernel prints u64 with %lld, so a negative reading is a u64 above 2^63. */
export function parseReading(text: string): Reading {
  const v = parseKernelInt(text);
  if (v === undefined) return 'invalid';
  return v < 0n ? v + U64 : v;
}

/** Read every zone's file once: one open/read/close per zone. */
export function readPass(source: Source, zones: WatchZone[], out: Reading[] = new Array<Reading>(zones.length)): Reading[] {
  for (let i = 0; i < zones.length; i++) {
    const r = source.read(zones[i]!.path);
    out[i] = r.ok ? parseReading(r.text) : r.errno;
  }
  return out;
}
