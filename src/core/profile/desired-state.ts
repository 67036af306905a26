/**
 * From a profile to the writes to make, through the set-limit planner
 * (core/limits: planChanges): each item is checked on its own first, so that a
 * problem is reported at its line and key; then the writes of all items form one
 * plan, applied as one transaction by applyPlan.
 *
 * "In state" is decided per write: the value read equals what was asked, or what
 * the kernel stores for what was asked. RAPL stores power in 1/8 W steps and time
 * windows as 2^Y × (1 + F/4) time units (intel_rapl_common.c, rapl_unit_xlate and
 * rapl_compute_time_window_core); DTPM stores what its children applied. On a
 * snapshot the emulated kernel is asked (a trial on a copy of the document); on a
 * live tree the RAPL rules (and amdgpu's whole watts, kernel/hwmon.ts) are computed, and any
 * other zone must read back exactly.
 */
import { Exit, PowercapError, notFound } from '../errors.js';
import {
  planChanges, pickConstraints, isRaplType, constraintLabel, expectedStore,
  type LimitRequest, type Plan, type PlanStep,
} from '../limits/index.js';
import { RAPL_POWER_UNIT_UW } from '../kernel/rapl.js';
import { EmulatedSource } from '../source/emulated.js';
import { parseKernelInt, type PowercapTree } from '../zones/powercap-tree.js';
import { SnapshotFile } from '../snapshot/file.js';
import { atItem, profileError, type ItemKey, type Profile, type ProfileItem } from './parse.js';
import { effectiveZones } from '../limits/effective.js';
import type { PowerSourceKind } from '../power-source.js';

export interface ProfileStep {
  step: PlanStep;
  item: ProfileItem;
  /** the item named a package that exists through MSR and MMIO, and this is one of the copies */
  pair: boolean;
}

/** An item left out because the profile was restricted to one control type and it names no zone of it. */
export interface SkippedItem {
  item: ProfileItem;
  /** the control type the profile was restricted to */
  controlType: string;
}

export interface ProfilePlan {
  /** every write the profile asks for, in profile order (per zone: power, time window, enabled) */
  steps: ProfileStep[];
  /** the set-limit plan of all of them (warnings: a package's other copy left alone, …) */
  plan: Plan;
  /** items left out by the restriction to one control type */
  skipped: SkippedItem[];
  /** items that hold on the other power source (`when`): checked, not in force now */
  aside: ProfileItem[];
}

export interface PlanProfileOptions {
  /** restrict to one control type (intel-rapl: a package name then means its MSR copy) */
  only?: string;
  /**
   * the power source the machine runs on: items with another `when` are set aside. Absent: every
   * item with a `when` is set aside (checked against the tree, as every item is, and not written)
   */
  powerSource?: PowerSourceKind;
}

/** An item holds on this power source: it has no `when`, or the same. */
export const holdsOn = (item: ProfileItem, source: PowerSourceKind | undefined): boolean =>
  item.when === undefined || item.when === source;

/** Two items can be in force together: either holds always, or both on the same power source. */
const together = (a: ProfileItem, b: ProfileItem): boolean => a.when === undefined || b.when === undefined || a.when === b.when;

/**
 * A planning refusal re-said at the item's line and key. A value outside the constraint's bounds
 * is a bad value in the profile (exit 2, nothing written): apply never writes past a bound, so the
 * way out is the file, not a flag (the reason is dropped).
 */
function asProfileError(err: unknown, profile: Profile, item: ProfileItem, key: ItemKey): PowercapError {
  const e = atItem(err, profile.file, item, key);
  if (e.exitCode !== Exit.REFUSED) return e;
  const hint = e.reason === 'overridable' ? `change the value in the profile${e.hint ? ` (${e.hint})` : ''}` : e.hint;
  // any other reason is kept, for apply's wording of it (an AMD zone's, cli/hints.ts)
  return new PowercapError(Exit.USAGE, e.message.replace(/: nothing was written$/, ''), hint, e.reason === 'overridable' ? {} : { reason: e.reason });
}

/**
 * Every item planned with set-limit's planner, by the name the item gives (so a package name
 * means both copies by the same rule as set-limit: core/limits/plan.ts pickConstraints), one
 * setting at a time so that a refusal names its key; then the items in force on the power
 * source as one plan. An item for the other power source is checked all the same, so that a
 * profile that would fail on battery fails on AC too, before it is installed.
 */
export function planProfile(tree: PowercapTree, profile: Profile, opts: PlanProfileOptions = {}): ProfilePlan {
  const steps: ProfileStep[] = [];
  const requests: LimitRequest[] = [];
  const skipped: SkippedItem[] = [];
  const aside: ProfileItem[] = [];
  const owners = new Map<string, ProfileItem[]>();
  const only = opts.only === undefined ? {} : { only: opts.only };
  if (opts.only !== undefined && !tree.controlTypes.some((c) => c.name === opts.only)) {
    throw notFound(`no control type '${opts.only}' here`, `control types here: ${tree.controlTypes.map((c) => c.name).join(', ') || 'none'}`);
  }

  for (const item of profile.items) {
    let found: ReturnType<typeof effectiveZones>;
    try {
      found = effectiveZones(tree, item.zone, opts.only);
    } catch (err) {
      throw asProfileError(err, profile, item, 'zone');
    }
    if (found.zones.length === 0) {
      skipped.push({ item, controlType: opts.only! });
      continue;
    }
    // the constraint first, so that its refusal names the constraint's line (or the zone's, when none is named)
    if (item.power !== undefined || item.timeWindow !== undefined || item.constraint !== undefined) {
      try {
        pickConstraints(found.zones, found.pair, item.constraint);
      } catch (err) {
        throw asProfileError(err, profile, item, item.constraint !== undefined ? 'constraint' : 'zone');
      }
    }
    const base: LimitRequest = { zone: item.zone };
    if (item.constraint !== undefined) base.constraint = item.constraint;
    // each setting planned alone first, so that a refusal names its key
    const parts: Array<[ItemKey, LimitRequest]> = [];
    if (item.powerSpec !== undefined) parts.push(['power', { ...base, power: item.powerSpec }]);
    if (item.timeWindowUs !== undefined) parts.push(['timeWindow', { ...base, timeWindowUs: item.timeWindowUs }]);
    if (item.enabled !== undefined) parts.push(['enabled', { zone: item.zone, enable: item.enabled }]);
    const mine: Array<{ key: ItemKey; step: PlanStep }> = [];
    const inForce = holdsOn(item, opts.powerSource);
    for (const [key, req] of parts) {
      let plan: Plan;
      try {
        plan = planChanges(tree, [req], only);
      } catch (err) {
        throw asProfileError(err, profile, item, key);
      }
      for (const step of plan.steps) mine.push({ key, step });
      if (inForce) requests.push(req);
    }
    if (!inForce) aside.push(item);
    // per zone, as set-limit orders one zone's writes: power, time window, enabled
    for (const zone of found.zones) {
      for (const { key, step } of mine.filter((m) => m.step.zoneId === zone.id)) {
        // two items may set one setting when they are never in force together (when: ac, when: battery)
        const first = owners.get(step.rel)?.find((o) => together(o, item));
        if (first) {
          const what = `${step.zoneId}${step.zoneName ? ` (${step.zoneName})` : ''} ${step.constraint ? constraintLabel(step.constraint) + ' ' : ''}${step.attribute}`;
          const on = item.when !== undefined && first.when !== undefined ? ` on ${item.when}` : '';
          throw profileError(Exit.USAGE, profile.file, item.lines[key] ?? item.line, `limits[${item.index}].${key}`,
            `${what} is already set${on} by limits[${first.index}] (line ${first.line}): a zone is given once per setting and power source`,
            'remove one of the two items, or give them different `when:` (ac, battery)');
        }
        owners.set(step.rel, [...(owners.get(step.rel) ?? []), item]);
        if (inForce) steps.push({ step, item, pair: found.pair });
      }
    }
  }
  const plan: Plan = requests.length ? planChanges(tree, requests, only) : { steps: [], warnings: [], overrides: [], risks: [], notes: [], pairs: [], disabled: [] };
  return { steps, plan: { ...plan, steps: steps.map((s) => s.step) }, skipped, aside };
}

// ------------------------------------------------------------------ in state

/**
 * What reading each attribute gives after the whole plan is written, asked of the
 * emulated kernel on a copy of the snapshot (the file itself is not touched).
 */
export function trialOnSnapshot(snap: SnapshotFile, steps: PlanStep[]): Map<string, bigint | null> {
  const trial = new EmulatedSource(new SnapshotFile(snap.path, structuredClone(snap.doc)));
  const out = new Map<string, bigint | null>();
  const refused = new Set<string>();
  for (const s of steps) {
    try {
      trial.write(s.rel, s.attribute === 'enabled' ? (s.requested === 0n ? '0\n' : '1\n') : `${s.requested}\n`);
    } catch {
      // a refused write (a locked limit) predicts nothing: the real write will report it
      refused.add(s.rel);
    }
  }
  for (const s of steps) {
    const r = trial.read(s.rel);
    out.set(s.rel, refused.has(s.rel) || !r.ok ? null : parseKernelInt(r.text) ?? null);
  }
  return out;
}

/** What the kernel stores when `step.requested` is written (live tree: the RAPL and GPU drivers' rules, else the value itself). */
export function expectedValue(step: PlanStep, trial?: Map<string, bigint | null>): bigint {
  const t = trial?.get(step.rel);
  if (t !== undefined && t !== null) return t;
  return expectedStore(step);
}

/** The attribute already holds what the profile asks for (exactly, or as the kernel stores it). */
export function isInState(step: PlanStep, current: bigint | null, expected: bigint): boolean {
  if (current === null) return false;
  if (current === step.requested || current === expected) return true;
  // RAPL parts whose power unit is not 1/8 W: stored below the request, within one unit
  if (isRaplType(step.controlType) && step.attribute === 'power_limit_uw') {
    return current <= step.requested && step.requested - current < RAPL_POWER_UNIT_UW;
  }
  return false;
}
