/**
 * Planning a limit change: everything that can be checked before the first
 * write is checked here, so that bad input never leaves a half-applied change.
 *
 * - the zone (id, unique name, type/name: core/zones/select.ts);
 * - the constraint, looked up by name (powercap_sys.c: numbers are packed in
 *   registration order and differ between machines), or by number when asked;
 *   default long_term, else the only constraint, else refused listing them;
 * - the power within min_power_uw / max_power_uw when those are known and
 *   non-zero (RAPL short_term reads max 0: unknown, intel_rapl_common.c), outside them only
 *   when forced, recorded as an override;
 * - the time window within min/max_time_window_us when known, and only where the
 *   window can be read at all (DTPM and peak_power read ENODATA);
 * - enable/disable on the zone's `enabled` file.
 *
 * The plan is pure data: applyPlan (apply.ts) performs it.
 */
import { Exit, PowercapError, notFound, refused, usageError } from '../errors.js';
import { resolvePowerSpec, formatDuration, formatPower, formatPowerSpec, type PowerSpec } from '../units.js';
import { zoneAttr, type Constraint, type PowercapTree, type Zone } from '../zones/powercap-tree.js';
import { describeZone } from '../zones/select.js';
import { DTPM_CONTROL_TYPE, powerMinFromRange } from '../kernel/dtpm.js';
import { capRangeRefused, expectedCapUw, expectedIntervalUs, isHwmonType } from '../kernel/hwmon.js';
import { computeTimeWindow, isAmdRaplZone, powerLimitMask, quantizePowerLimit, type RaplInterface } from '../kernel/rapl.js';
import { raplInterfaceOf, type DriverFacts } from '../source/drivers.js';
import { effectiveZones, limitInForce, otherCopy, raplCopies, zoneEnabled } from './effective.js';

/** One zone's change, as the command line or the wizard asks for it. */
export interface LimitRequest {
  /** zone id, unique name or type/name */
  zone: string;
  /** the power asked for (`25W`, `max`, `min`, `80%`, parsed) */
  power?: PowerSpec;
  /** constraint name (`long_term`) or number (`0`) */
  constraint?: string;
  /** the time window asked for, µs */
  timeWindowUs?: bigint;
  /** true: write 1 to `enabled`; false: write 0 */
  enable?: boolean;
}

export type LimitAttribute = 'power_limit_uw' | 'time_window_us' | 'enabled';

/** A zone file whose value a write changes as a side effect (DTPM children), restored on rollback too. */
export interface DependentFile {
  zoneId: string;
  zoneName: string | null;
  rel: string;
}

export interface PlanStep {
  zoneId: string;
  zoneName: string | null;
  controlType: string;
  /** the driver of a hwmon zone (amdgpu, i915, xe), whose rules say what it stores; null elsewhere */
  driver: string | null;
  /** null for `enabled` */
  constraint: { index: number; name: string | null } | null;
  /** the register layout a RAPL zone's limits are written through (kernel/rapl.ts), null for other control types */
  raplInterface: RaplInterface | null;
  attribute: LimitAttribute;
  /** the attribute file, relative to the source root */
  rel: string;
  /** the value read when planning: µW, µs, or 0/1 for enabled; null when it could not be read */
  before: bigint | null;
  /** the value to write: µW, µs, or 0/1 */
  requested: bigint;
  /** bounds known for the value (null: unknown) */
  min: bigint | null;
  max: bigint | null;
  /** files of other zones this write changes (a DTPM node's descendants), parents before children */
  dependents: DependentFile[];
}

export interface Plan {
  steps: PlanStep[];
  /** things a user should know before writing (the other copy of a duplicated RAPL package, …) */
  warnings: string[];
  /** what forcing let through (a value outside the constraint's bounds), one sentence each */
  overrides: string[];
  /**
   * limits that would starve a zone (0, below 10 % of its maximum): a person confirms them at a
   * terminal, a script forces them
   */
  risks: string[];
  /** what the request touched beyond what was named (both copies of a package), one sentence each */
  notes: string[];
  /** a name that meant both copies of a package (MSR and MMIO): the name and the two control types; `notes[i]` says it */
  pairs: Array<{ ref: string; controlTypes: string[] }>;
  /** zones whose limit is set while they are disabled (enabled reads 0): the limit does nothing until enabled */
  disabled: Array<{ id: string; label: string }>;
}

export { isRaplType } from '../kernel/rapl.js';
import { isRaplType } from '../kernel/rapl.js';
/** the control type dtpm.c registers (kernel/dtpm.ts DTPM_CONTROL_TYPE) */
export const DTPM_TYPE = DTPM_CONTROL_TYPE;

export const constraintLabel = (c: { index: number; name: string | null }): string => c.name ?? `constraint_${c.index}`;

const constraintList = (z: Zone) => z.constraints.map((c) => (c.name ? `${c.name} (${c.index})` : `${c.index}`)).join(', ');

/** The constraint a request means: by name or number, else long_term, else the only one. */
export function pickConstraint(zone: Zone, ref: string | undefined): Constraint {
  if (zone.constraints.length === 0) throw energyOnly(zone);
  if (ref !== undefined && ref !== '') {
    const byName = zone.constraints.find((c) => c.name === ref);
    if (byName) return byName;
    if (/^[0-9]+$/.test(ref)) {
      const byIndex = zone.constraints.find((c) => c.index === Number(ref));
      if (byIndex) return byIndex;
    }
    throw notFound(`${describeZone(zone)} has no constraint '${ref}'`, `its constraints: ${constraintList(zone)}`);
  }
  const longTerm = zone.constraints.find((c) => c.name === 'long_term');
  if (longTerm) return longTerm;
  if (zone.constraints.length === 1) return zone.constraints[0]!;
  throw usageError(
    `${describeZone(zone)} has ${zone.constraints.length} constraints and none is long_term`,
    `its constraints: ${constraintList(zone)}`,
    'constraint-ambiguous',
  );
}

/**
 * The constraint of each zone a request names. A package name that means both copies (MSR and
 * MMIO) sets both, so each copy must have the constraint: when one lacks it the request is
 * refused (exit 3) as for any zone that lacks it, with the reason `one-copy-lacks` and the copy
 * that has it, which can be named alone. set-limit and apply both ask here.
 */
export function pickConstraints(zones: Zone[], pair: boolean, ref: string | undefined): Constraint[] {
  return zones.map((zone) => {
    try {
      return pickConstraint(zone, ref);
    } catch (err) {
      if (!pair || !(err instanceof PowercapError) || err.exitCode !== Exit.NOT_FOUND) throw err;
      const other = zones.find((z) => z !== zone)!;
      let has: Constraint;
      try {
        has = pickConstraint(other, ref);
      } catch {
        throw err;
      }
      throw notFound(err.message, `${err.hint}; ${describeZone(other)}, the same package through ${other.controlType}, has ${constraintLabel(has)}`, 'one-copy-lacks');
    }
  });
}

/**
 * A zone with no constraint files: it only measures energy. Whether it is AMD's RAPL, which exposes
 * no power limit through powercap at all (kernel/rapl.ts isAmdRaplZone), is a fact the reason
 * carries; the CLI words it (cli/hints.ts).
 */
function energyOnly(zone: Zone) {
  const subject = describeZone(zone);
  return new PowercapError(Exit.REFUSED, `${subject} has no constraints: this zone only measures energy`, undefined,
    { reason: isAmdRaplZone(zone) ? 'amd-energy-only' : 'energy-only', subject });
}

/** A bound as the kernel reports it: null when absent, unreadable or 0 (unknown). */
const known = (v: bigint | null): bigint | null => (v === null || v === 0n ? null : v);

/** Power bounds of a constraint. DTPM has no min_power_uw: min = max − max_power_range_uw (kernel/dtpm.ts). */
export function powerBounds(zone: Zone, c: Constraint): { minUw: bigint | null; maxUw: bigint | null } {
  const maxUw = known(c.maxPowerUw);
  let minUw = known(c.minPowerUw);
  if (minUw === null && zone.controlType === DTPM_TYPE) minUw = known(powerMinFromRange(maxUw, zone.maxPowerRangeUw));
  return { minUw, maxUw };
}

function powerStep(zone: Zone, c: Constraint, spec: PowerSpec, force: boolean, overrides: string[], risks: string[], drivers: DriverFacts | undefined): PlanStep {
  const input = formatPowerSpec(spec);
  const { minUw, maxUw } = powerBounds(zone, c);
  const where = `${describeZone(zone)} ${constraintLabel(c)}`;
  if ((spec.kind === 'max' || spec.kind === 'percent') && maxUw === null) {
    throw usageError(`'${input}' needs the maximum of ${where}, which the kernel does not report`, 'give the power with a unit, e.g. 25W');
  }
  if (spec.kind === 'min' && minUw === null) {
    throw usageError(`'min' needs the minimum of ${where}, which the kernel does not report`, 'give the power with a unit, e.g. 5W');
  }
  const uw = resolvePowerSpec(spec, { minUw, maxUw })!;
  // a GPU driver that refuses a cap outside its range (amdgpu: EINVAL) is not asked at all, forced or not;
  // it compares what it keeps, whole watts, with its bounds (kernel/hwmon.ts)
  const driverRange = isHwmonType(zone.controlType) && capRangeRefused(zone.driver);
  if (driverRange) {
    const kept = expectedCapUw(zone.driver, uw);
    const out = maxUw !== null && kept > maxUw ? `above the maximum of ${where} (${formatPower(maxUw)})`
      : minUw !== null && kept < minUw ? `below the minimum of ${where} (${formatPower(minUw)})` : null;
    if (out) {
      throw refused(`${formatPower(uw)} is ${out}: ${zone.driver} refuses a cap outside its range (EINVAL), forced or not; nothing was written`,
        `its range is ${minUw === null ? '?' : formatPower(minUw)} to ${maxUw === null ? '?' : formatPower(maxUw)}`);
    }
  }
  if (maxUw !== null && uw > maxUw && !driverRange) {
    if (!force) {
      throw refused(`${formatPower(uw)} is above the maximum of ${where} (${formatPower(maxUw)}): nothing was written`,
        'the hardware may clamp or ignore it', 'overridable');
    }
    overrides.push(`writing ${formatPower(uw)} to ${where}, above its maximum ${formatPower(maxUw)}`);
  }
  const risk = limitRisk({ requested: uw, max: maxUw, attribute: 'power_limit_uw' });
  if (risk) risks.push(`${where}: ${risk}`);
  if (minUw !== null && uw < minUw && !driverRange) {
    if (!force) {
      throw refused(`${formatPower(uw)} is below the minimum of ${where} (${formatPower(minUw)}): nothing was written`,
        'the kernel may clamp it', 'overridable');
    }
    overrides.push(`writing ${formatPower(uw)} to ${where}, below its minimum ${formatPower(minUw)}`);
  }
  const file = `constraint_${c.index}_power_limit_uw`;
  if (!zone.files.has(file)) throw notFound(`${where} has no ${file}`);
  return {
    zoneId: zone.id, zoneName: zone.name, controlType: zone.controlType, driver: zone.driver, raplInterface: raplInterfaceOf(zone.controlType, drivers),
    constraint: { index: c.index, name: c.name }, attribute: 'power_limit_uw',
    rel: zoneAttr(zone, file), before: c.powerLimitUw, requested: uw,
    min: minUw, max: maxUw, dependents: zone.controlType === DTPM_TYPE ? dtpmDependents(zone) : [],
  };
}

/** A DTPM write stores new limits in every descendant (dtpm.c): they are restored on rollback too. */
function dtpmDependents(zone: Zone): DependentFile[] {
  const out: DependentFile[] = [];
  const visit = (z: Zone) => {
    for (const ch of z.children) {
      const c0 = ch.constraints.find((c) => c.index === 0);
      if (c0 && ch.files.has('constraint_0_power_limit_uw')) out.push({ zoneId: ch.id, zoneName: ch.name, rel: zoneAttr(ch, 'constraint_0_power_limit_uw') });
      visit(ch);
    }
  };
  visit(zone);
  return out;
}

function windowStep(zone: Zone, c: Constraint, us: bigint, force: boolean, overrides: string[], drivers: DriverFacts | undefined): PlanStep {
  const where = `${describeZone(zone)} ${constraintLabel(c)}`;
  const file = `constraint_${c.index}_time_window_us`;
  if (!zone.files.has(file)) throw refused(`${where} has no time window`);
  const readErr = zone.unreadable[file];
  if (readErr) {
    throw refused(`${where} has no settable time window (reading it gives ${readErr})`,
      zone.controlType === DTPM_TYPE ? 'DTPM limits are instantaneous: set the power only' : 'set the power only, or another constraint');
  }
  const minUs = known(c.minTimeWindowUs);
  const maxUs = known(c.maxTimeWindowUs);
  const out = (maxUs !== null && us > maxUs) ? `above its maximum ${formatDuration(maxUs)}` : (minUs !== null && us < minUs) ? `below its minimum ${formatDuration(minUs)}` : null;
  if (out) {
    if (!force) throw refused(`time window ${formatDuration(us)} is ${out} for ${where}: nothing was written`, undefined, 'overridable');
    overrides.push(`writing time window ${formatDuration(us)} to ${where}, ${out}`);
  }
  return {
    zoneId: zone.id, zoneName: zone.name, controlType: zone.controlType, driver: zone.driver, raplInterface: raplInterfaceOf(zone.controlType, drivers),
    constraint: { index: c.index, name: c.name }, attribute: 'time_window_us',
    rel: zoneAttr(zone, file), before: c.timeWindowUs, requested: us,
    min: minUs, max: maxUs, dependents: [],
  };
}

function enableStep(zone: Zone, enable: boolean, drivers: DriverFacts | undefined): PlanStep {
  if (!zone.files.has('enabled')) throw notFound(`${describeZone(zone)} has no 'enabled' file`);
  if (zone.constraints.length === 0) throw energyOnly(zone);
  return {
    zoneId: zone.id, zoneName: zone.name, controlType: zone.controlType, driver: zone.driver, raplInterface: raplInterfaceOf(zone.controlType, drivers),
    constraint: null, attribute: 'enabled', rel: zoneAttr(zone, 'enabled'),
    before: zone.enabled === null ? null : zone.enabled ? 1n : 0n, requested: enable ? 1n : 0n,
    min: null, max: null, dependents: [],
  };
}

/**
 * The same package through MSR and MMIO: each holds its own limit (intel_rapl_common.c), so
 * setting one copy alone says what the other holds and which limit is in force once the
 * plan is written (effective.ts limitInForce).
 */
function duplicateWarnings(tree: PowercapTree, steps: PlanStep[]): string[] {
  const out: string[] = [];
  const touched = new Set(steps.map((s) => s.zoneId));
  for (const id of touched) {
    const z = tree.byId.get(id)!;
    const other = otherCopy(tree, z);
    if (!other || touched.has(other.id)) continue;
    const mine = steps.filter((s) => s.zoneId === id);
    const names = new Set(mine.filter((s) => s.constraint?.name).map((s) => s.constraint!.name!));
    if (names.size === 0) names.add('long_term');
    const enable = mine.find((s) => s.attribute === 'enabled');
    const theirs = other.constraints.filter((c) => c.name !== null && names.has(c.name));
    const limits = theirs.map((c) => `${constraintLabel(c)} ${c.powerLimitUw === null ? '?' : formatPower(c.powerLimitUw)}`);
    const after = theirs.map((c) => {
      const step = mine.find((s) => s.attribute === 'power_limit_uw' && s.constraint?.name === c.name);
      const own = z.constraints.find((x) => x.name === c.name)?.powerLimitUw ?? null;
      const sides = raplCopies(tree, z.name!)!.map((copy) => copy === z
        ? { zone: z, powerLimitUw: step ? expectedStore(step) : own, enabled: enable ? enable.requested === 1n : zoneEnabled(z) }
        : { zone: other, powerLimitUw: c.powerLimitUw, enabled: zoneEnabled(other) });
      const f = limitInForce(sides);
      return `${constraintLabel(c)} ${f.kind === 'held' ? `${formatPower(f.powerLimitUw)}, held by ${f.zone.id}` : f.kind === 'none' ? 'none (both copies disabled)' : 'unknown'}`;
    });
    const own = limits.length ? ` (${limits.join(', ')})` : '';
    out.push((other.enabled === false
      ? `${other.id} is the same ${z.name} through ${other.controlType}, disabled: its own limit${own} holds nothing until it is enabled`
      : `${other.id} is the same ${z.name} through ${other.controlType} and holds its own limit${own}`) +
      `; the lower of the enabled copies' limits is in force${after.length ? ` (after this: ${after.join(', ')})` : ''}: set it too with ${other.id}=POWER`);
  }
  return out;
}

/**
 * Check every request against the tree and return the writes to make, in order:
 * per request, the power limit, then the time window, then enabled.
 * Throws (exit 2, 3 or 5) before anything is written when a request is not valid.
 */
export function planChanges(tree: PowercapTree, requests: LimitRequest[], opts: { force?: boolean; only?: string } = {}): Plan {
  const force = opts.force === true;
  if (requests.length === 0) throw usageError('nothing to set', undefined, 'nothing-to-set');
  const steps: PlanStep[] = [];
  const overrides: string[] = [];
  const risks: string[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  const pairs: Plan['pairs'] = [];
  const disabled: Plan['disabled'] = [];
  for (const r of requests) {
    const found = effectiveZones(tree, r.zone, opts.only);
    if (found.zones.length === 0) throw notFound(`'${r.zone}' has no zone of control type ${opts.only}`, undefined, 'not-of-type');
    const zones = found.zones;
    if (found.pair) {
      notes.push(`${r.zone} is one package seen twice, through ${zones.map((z) => `${z.controlType} (${z.id})`).join(' and ')}: ` +
        'the lower limit is in force, so both are set as one transaction');
      pairs.push({ ref: r.zone, controlTypes: zones.map((z) => z.controlType) });
    }
    if (r.power === undefined && r.timeWindowUs === undefined && r.enable === undefined) {
      throw usageError(`nothing to set on ${describeZone(zones[0]!)}`, undefined, 'nothing-to-set');
    }
    const needsConstraint = r.power !== undefined || r.timeWindowUs !== undefined || r.constraint !== undefined;
    const constraints = needsConstraint ? pickConstraints(zones, found.pair, r.constraint) : null;
    for (const [i, zone] of zones.entries()) {
      const c = constraints?.[i] ?? null;
      if (r.power !== undefined) steps.push(powerStep(zone, c!, r.power, force, overrides, risks, tree.drivers));
      if (r.timeWindowUs !== undefined) steps.push(windowStep(zone, c!, r.timeWindowUs, force, overrides, tree.drivers));
      if (r.enable !== undefined) steps.push(enableStep(zone, r.enable, tree.drivers));
      if (zone.enabled === false && r.enable === undefined && r.power !== undefined) {
        disabled.push({ id: zone.id, label: describeZone(zone) });
      }
    }
  }
  const seen = new Set<string>();
  for (const s of steps) {
    if (seen.has(s.rel)) {
      throw usageError(`${s.zoneId} ${s.constraint ? constraintLabel(s.constraint) + ' ' : ''}${s.attribute} is set twice in one command`, 'give each zone once');
    }
    seen.add(s.rel);
  }
  return { steps, warnings: [...warnings, ...duplicateWarnings(tree, steps)], overrides, risks, notes, pairs, disabled };
}

/**
 * Why a power limit would starve its zone, or null: 0 W, or below 10 % of the constraint's
 * maximum. Such a limit is written only after a person confirms it at a terminal, or when
 * forced (set-limit, apply). Below the minimum is refused earlier (planChanges).
 */
export function limitRisk(step: Pick<PlanStep, 'requested' | 'max' | 'attribute'>): string | null {
  if (step.attribute !== 'power_limit_uw') return null;
  if (step.requested === 0n) return 'a limit of 0 W';
  if (step.max !== null && step.requested * 10n < step.max) return `${formatPower(step.requested)} is below 10 % of its maximum ${formatPower(step.max)}`;
  return null;
}

/**
 * What the kernel will store for a step, where that is known before writing: RAPL keeps
 * power limits in 1/8 W steps within the constraint's field (15 bits, 13 for PL4, 18 through
 * TPMI) and time windows as 2^Y × (1 + F/4) time units (kernel/rapl.ts); everything else is
 * stored as written (DTPM's result depends on its children and is known after the write only,
 * SCMI's on the firmware's step, which sysfs does not show); amdgpu keeps caps in whole watts,
 * i915 and xe their window in (1 + x/4) × 2^y units of 1/1024 s (kernel/hwmon.ts).
 */
export function expectedStore(step: Pick<PlanStep, 'attribute' | 'controlType' | 'requested' | 'raplInterface' | 'constraint'> & { driver?: string | null }): bigint {
  if (isHwmonType(step.controlType)) {
    if (step.attribute === 'power_limit_uw') return expectedCapUw(step.driver ?? null, step.requested);
    if (step.attribute === 'time_window_us') return expectedIntervalUs(step.requested) ?? step.requested;
    return step.requested;
  }
  if (!isRaplType(step.controlType)) return step.requested;
  if (step.attribute === 'power_limit_uw') return quantizeRaplLimit(step);
  if (step.attribute === 'time_window_us') return computeTimeWindow(step.requested);
  return step.requested;
}

/** A RAPL power limit as the kernel stores it, in the field of the step's constraint and register layout. */
export function quantizeRaplLimit(step: Pick<PlanStep, 'requested' | 'raplInterface' | 'constraint'>): bigint {
  return quantizePowerLimit(step.requested, powerLimitMask(step.raplInterface ?? 'msr', step.constraint?.name ?? null));
}
