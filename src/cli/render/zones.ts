/**
 * Zones for output: the JSON shape of spec/cli.md, and the human cells the
 * table and tree renderers share. Kernel integers stay bigint here; io.json()
 * encodes them (a number when exact, else a digit string).
 */
import type { Constraint, ControlType, PowercapTree, Zone } from '../../core/zones/powercap-tree.js';
import { defaultConstraint } from '../../core/zones/powercap-tree.js';
import { formatDuration, formatEnergy, formatPower, formatPowerReading } from '../../core/units.js';
import type { SourceInfo } from '../../core/source/types.js';
import { effectiveLimit } from '../../core/limits/effective.js';
import { DTPM_CONTROL_TYPE } from '../../core/kernel/dtpm.js';
import { visible } from '../visible.js';

/**
 * The one word for a DTPM node that has not been limited since boot: dtpm.c stores 0 in a
 * node's power_limit_uw until a limit is set on it or an ancestor (set_power_limit_uw).
 */
export const NOT_LIMITED = 'not limited';

/**
 * A DTPM node with children whose stored limit is 0: not limited since boot. (A leaf registers
 * with its limit at its maximum, dtpm.c dtpm_register; a node above it sums what its children
 * held when they were added, 0, until a limit is set on it or above it.)
 */
export const dtpmNotLimited = (z: Pick<Zone, 'controlType' | 'children'>, limitUw: bigint | number | null): boolean =>
  z.controlType === DTPM_CONTROL_TYPE && z.children.length > 0 && (limitUw === 0n || limitUw === 0);

/**
 * A power limit as every view words it (list, tree, set-limit, the wizard): "not limited" for a
 * DTPM node never limited since boot (dtpmNotLimited), else the power; without the zone, the power.
 */
export function powerLimitText(z: Pick<Zone, 'controlType' | 'children'> | undefined, limitUw: bigint | number): string {
  return z && dtpmNotLimited(z, limitUw) ? NOT_LIMITED : formatPower(limitUw);
}

export function constraintJson(c: Constraint, zone?: Zone, tree?: PowercapTree) {
  const eff = zone && tree ? effectiveLimit(tree, zone, c.name) : null;
  return {
    index: c.index,
    name: c.name,
    powerLimitUw: c.powerLimitUw,
    timeWindowUs: c.timeWindowUs,
    maxPowerUw: c.maxPowerUw,
    minPowerUw: c.minPowerUw,
    maxTimeWindowUs: c.maxTimeWindowUs,
    minTimeWindowUs: c.minTimeWindowUs,
    /**
     * a package seen through MSR and MMIO: the limit in force and the copy holding it
     * (core/limits/effective.ts limitInForce); both null when every copy is disabled
     */
    ...(eff?.kind === 'held' ? { effective: { powerLimitUw: eff.powerLimitUw, zone: eff.zone.id } }
      : eff?.kind === 'none' ? { effective: { powerLimitUw: null, zone: null } } : {}),
  };
}

export function zoneJson(z: Zone, tree?: PowercapTree) {
  return {
    id: z.id,
    controlType: z.controlType,
    parent: z.parent,
    name: z.name,
    enabled: z.enabled,
    energyUj: z.energyUj,
    maxEnergyRangeUj: z.maxEnergyRangeUj,
    powerUw: z.powerUw,
    maxPowerRangeUw: z.maxPowerRangeUw,
    constraints: z.constraints.map((c) => constraintJson(c, z, tree)),
    unreadable: z.unreadable,
    invalid: z.invalid,
  };
}

export function sourceJson(info: SourceInfo) {
  return info.kind === 'live' ? { kind: 'live', root: info.root } : { kind: 'snapshot', file: info.file };
}

export const controlTypeJson = (c: ControlType) => ({ name: c.name, enabled: c.enabled });

// ------------------------------------------------------------ human cells
// Every cell shows a source's text (ids, names, errno names, raw values) through visible(), before
// a renderer colours it: a name holding `\x1b[2J` prints as those characters (cli/visible.ts).

const dash = '–';

/** A zone's id as shown: directory names in a snapshot may hold any character. */
export const zoneIdText = (z: Pick<Zone, 'id'>): string => visible(z.id);
/** A zone's name as shown, or null when it has none. */
export const zoneNameText = (z: Pick<Zone, 'name'>): string | null => (z.name === null ? null : visible(z.name));

/** "52.6 kJ", "1.23 W" (power_uw), "unreadable (EACCES)", or "–". */
export function readingCell(z: Zone): string {
  if (z.powerUw !== null) return formatPowerReading(z.powerUw);
  if (z.energyUj !== null) return formatEnergy(z.energyUj);
  const e = z.unreadable.energy_uj ?? z.unreadable.power_uw;
  if (e) return `unreadable (${visible(e)})`;
  if (z.invalid.energy_uj !== undefined || z.invalid.power_uw !== undefined) return 'invalid';
  return dash;
}

/**
 * "long_term 28 W / 27.984 s (max 28 W)"; with the tree, a copy of a package seen twice that
 * does not hold the limit in force names it: "…  effective 15 W, held by intel-rapl-mmio:0",
 * or "…  effective none: both copies disabled".
 */
export function constraintCell(c: Constraint, zone?: Zone, tree?: PowercapTree): string {
  const name = c.name === null ? `constraint_${c.index}` : visible(c.name);
  const limit = c.powerLimitUw === null ? '?' : powerLimitText(zone, c.powerLimitUw);
  const win = c.timeWindowUs === null || c.timeWindowUs === 0n ? '' : ` / ${formatDuration(c.timeWindowUs)}`;
  const max = c.maxPowerUw !== null && c.maxPowerUw > 0n ? ` (max ${formatPower(c.maxPowerUw)})` : '';
  const eff = zone && tree ? effectiveLimit(tree, zone, c.name) : null;
  // said only on a copy that does not hold the limit in force (disabled, or a higher limit)
  const effective = eff?.kind === 'held' && !eff.zones.includes(zone!) ? `  effective ${formatPower(eff.powerLimitUw)}, held by ${zoneIdText(eff.zone)}`
    : eff?.kind === 'none' ? '  effective none: both copies disabled' : '';
  return `${name} ${limit}${win}${max}${effective}`;
}

/** The main limit of a zone for one-line views: the default constraint. */
export function mainLimitCell(z: Zone, tree?: PowercapTree): string {
  const c = defaultConstraint(z);
  return c ? constraintCell(c, z, tree) : z.constraints.length === 0 ? 'no limits (energy only)' : dash;
}

export function enabledCell(z: Zone): string {
  return z.enabled === null ? dash : z.enabled ? 'yes' : 'no';
}

/** Notes a user should see once: unreadable energy (not root), invalid values. */
/** the reads core/source/live.ts refuses, in words */
const REFUSED_READ: Record<string, string> = { EFTYPE: 'not a regular file: refused', EFBIG: 'larger than a page: refused' };

export function treeDiagnostics(tree: PowercapTree, zones: Zone[]): { hints: string[]; warnings: string[] } {
  const hints: string[] = [];
  const warnings: string[] = [];
  if (zones.some((z) => z.unreadable.energy_uj === 'EACCES')) {
    hints.push('hint: energy_uj is readable by root only: run with sudo, or see README "Running without root"');
  }
  for (const z of zones) {
    for (const [file, raw] of Object.entries(z.invalid)) {
      const shown = raw.length > 24 ? raw.slice(0, 21) + '...' : raw;
      warnings.push(`${zoneIdText(z)}: ${visible(file)} holds '${visible(shown)}', not a value the kernel writes: shown as invalid`);
    }
    for (const [file, errno] of Object.entries(z.unreadable)) {
      if (file === 'energy_uj' && errno === 'EACCES') continue;
      // time windows that read ENODATA are normal (DTPM, RAPL peak_power): kept in `unreadable`, not warned about
      if (errno === 'ENODATA' && /^constraint_[0-9]+_time_window_us$/.test(file)) continue;
      warnings.push(`${zoneIdText(z)}: cannot read ${visible(file)} (${REFUSED_READ[errno] ?? visible(errno)})`);
    }
  }
  for (const c of tree.controlTypes) {
    for (const [file, raw] of Object.entries(c.invalid)) warnings.push(`${visible(c.name)}: ${visible(file)} holds '${visible(raw)}': shown as invalid`);
  }
  return { hints, warnings };
}
