/**
 * The zones balance manages, as read once from the tree: how each one's power is read (the
 * watch plan: `energy_uj` through the wrap-proof sampler, else `power_uw`), which limit is
 * written (RAPL: long_term unless another constraint is named; DTPM: the one constraint, and
 * leaves only: writing a parent makes the kernel re-split it by its static weights,
 * drivers/powercap/dtpm.c __set_power_limit_uw), and the bounds the allocation keeps to.
 */
import { usageError, permissionDenied } from '../errors.js';
import { DTPM_CONTROL_TYPE, leafSetPowerLimit } from '../kernel/dtpm.js';
import type { DtpmForest } from '../dtpm/fromTree.js';
import { RAPL_POWER_UNIT_UW } from '../kernel/rapl.js';
import { isRaplType } from '../kernel/rapl.js';
import { pickConstraint, powerBounds } from '../limits/plan.js';
import { planWatch, type WatchZone } from '../watch/zones.js';
import { describeZone } from '../zones/select.js';
import { zoneAttr, type PowercapTree, type Zone } from '../zones/powercap-tree.js';

export interface BalanceZone {
  id: string;
  name: string | null;
  controlType: string;
  /** the limit attribute, relative to the source root */
  limitPath: string;
  constraint: { index: number; name: string | null };
  minUw: number;
  maxUw: number;
  weight: number;
  /** the kernel keeps limits in steps of this (RAPL 1/8 W); 0: any µW */
  quantumUw: number;
  /** the limits the kernel can store (a DTPM leaf with an energy model: its states' powers), ascending; null: any */
  levelsUw: number[] | null;
  /** how its power is read */
  reading: WatchZone;
}

export interface BalanceZoneOptions {
  /** constraint name or number (default: long_term, else the only one) */
  constraint?: string;
  /** minimum by zone id (the zone's own minimum when absent: DTPM max − range, RAPL min_power_uw, else 0) */
  minUw?: ReadonlyMap<string, number>;
  /** weight by zone id (default 1) */
  weight?: ReadonlyMap<string, number>;
  /** the limits each DTPM leaf can store (dtpmLevels), by zone id */
  levelsUw?: ReadonlyMap<string, number[]>;
}

/**
 * The limits each DTPM leaf with an energy model can store: for each state, what
 * set_pd_power_limit() keeps when asked for that state's power (dtpm_cpu.c, dtpm_devfreq.c),
 * ascending, within the leaf's bounds. Leaves without a table are absent (any value is kept).
 */
export function dtpmLevels(forest: DtpmForest): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [id, node] of forest.byZone) {
    if (node.children.length > 0 || !node.table || node.table.states.length === 0) continue;
    const t = node.table;
    const levels = new Set(t.states.map((st) => leafSetPowerLimit(node.kind, t, st.powerUw * (node.kind === 'devfreq' ? 1 : t.nrCpus)).appliedUw));
    out.set(id, [...levels].sort((a, b) => a - b));
  }
  return out;
}

/** The leaves of a DTPM node (the node itself when it is one): the zones balance writes. */
export function dtpmLeavesUnder(zone: Zone): Zone[] {
  if (zone.children.length === 0) return [zone];
  return zone.children.flatMap(dtpmLeavesUnder);
}

/**
 * The zones to manage, in the order given. Throws the first problem (a PowercapError with its
 * exit code: 2 for a zone that cannot be balanced, 4 for a power reading only root may read).
 */
export function planBalanceZones(tree: PowercapTree, zones: readonly Zone[], o: BalanceZoneOptions = {}): BalanceZone[] {
  const seen = new Set<string>();
  for (const z of zones) {
    if (seen.has(z.id)) throw usageError(`${describeZone(z)} is named twice`, 'name each zone once');
    seen.add(z.id);
    if (z.controlType === DTPM_CONTROL_TYPE && z.children.length > 0) {
      throw usageError(`${describeZone(z)} is a DTPM node with children: writing it makes the kernel split it among them by fixed weights`,
        `name its leaves instead: ${dtpmLeavesUnder(z).map((l) => l.id).join(' ')}`);
    }
  }
  const plan = planWatch([...zones], tree.byId);
  const skipped = plan.skipped[0];
  if (skipped) {
    throw skipped.reason === 'permission'
      ? permissionDenied(`the power of ${describeZone(skipped.zone)} is readable by root only (${skipped.errno})`, 'run with sudo, or see README "Running without root"')
      : usageError(`${describeZone(skipped.zone)} reports no power (neither energy_uj nor power_uw)`, 'balance zones that measure their power');
  }
  return zones.map((z, i) => {
    const c = pickConstraint(z, o.constraint);
    const file = `constraint_${c.index}_power_limit_uw`;
    if (!z.files.has(file)) throw usageError(`${describeZone(z)} has no ${file}`, 'balance zones whose limit can be written');
    if (c.powerLimitUw === null) {
      throw usageError(`${describeZone(z)}: ${file} cannot be read (${z.unreadable[file] ?? 'not an integer'})`, 'balance needs the limit in force to restore it');
    }
    const bounds = powerBounds(z, c);
    const maxUw = bounds.maxUw ?? z.maxPowerRangeUw;
    if (maxUw === null || maxUw <= 0n) {
      throw usageError(`${describeZone(z)} reports no maximum power for ${c.name ?? `constraint ${c.index}`}`, 'balance zones whose maximum is known');
    }
    const minUw = o.minUw?.get(z.id) ?? Number(bounds.minUw ?? 0n);
    return {
      id: z.id,
      name: z.name,
      controlType: z.controlType,
      limitPath: zoneAttr(z, file),
      constraint: { index: c.index, name: c.name },
      minUw: Math.min(minUw, Number(maxUw)),
      maxUw: Number(maxUw),
      weight: o.weight?.get(z.id) ?? 1,
      quantumUw: isRaplType(z.controlType) ? Number(RAPL_POWER_UNIT_UW) : 0,
      levelsUw: o.levelsUw?.get(z.id) ?? null,
      reading: plan.zones[i]!,
    };
  });
}
