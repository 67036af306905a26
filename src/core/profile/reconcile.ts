/**
 * Bringing a tree into a profile's state: read, plan (desired-state.ts), write only what
 * is not in state, as one transaction with read-back and rollback
 * (core/limits/apply.ts). A second run finds everything in state and writes
 * nothing. `check` stops after the comparison. The drift watchdog runs this on
 * every interval. Prints nothing: the caller renders the result.
 */
import { applyPlan, constraintLabel, limitRisk, type ApplyHooks, type ApplyResult, type PlanStep } from '../limits/index.js';
import { refused } from '../errors.js';
import type { Source } from '../source/types.js';
import { SnapshotFile } from '../snapshot/file.js';
import { captureSnapshot } from '../snapshot/capture.js';
import { parseKernelInt, readPowercapTree } from '../zones/powercap-tree.js';
import type { Profile, ProfileItem } from './parse.js';
import { expectedValue, isInState, planProfile, trialOnSnapshot, type PlanProfileOptions, type ProfileStep, type SkippedItem } from './desired-state.js';

export interface ItemOutcome {
  step: PlanStep;
  item: ProfileItem;
  pair: boolean;
  /** read before anything was written */
  before: bigint | null;
  /** what the kernel stores for the request (RAPL quantisation, DTPM split) */
  expected: bigint;
  /** read back after the write; the value read when nothing was written; null when not applied (check, failure) */
  applied: bigint | null;
  inState: boolean;
  /** written by this run */
  changed: boolean;
}

export interface ReconcileResult {
  items: ItemOutcome[];
  warnings: string[];
  /** items that name no zone of the control type the profile was restricted to */
  skipped: SkippedItem[];
  /** items that hold on the other power source (`when`): checked, not compared or written */
  aside: ProfileItem[];
  /** every setting was already in state */
  inState: boolean;
  /** something was written (and stayed written) */
  changed: boolean;
  /** the transaction's result; null when nothing had to be written or on check */
  result: ApplyResult | null;
}

export interface ReconcileOptions extends PlanProfileOptions {
  /** compare only, write nothing */
  check?: boolean;
  /** the snapshot behind the source, for the emulated kernel's answers */
  snapshot?: SnapshotFile | null;
  /**
   * A live tree's energy model, opened only when a DTPM limit is planned: the
   * value a DTPM node stores (what its leaves applied) is then predicted by the
   * emulated kernel on a capture of the tree, so a second run finds it in state.
   */
  energyModel?: () => Source | null;
  hooks?: ApplyHooks;
  /** the process runs as root (a refusal is then the kernel's) */
  isRoot: boolean;
  /**
   * Asked before writing a limit that would starve its zone (0 W, below 10 % of max:
   * limits/plan.ts limitRisk); false refuses the whole transaction (exit 5, reason `overridable`),
   * nothing written. Without it such limits are written.
   */
  confirmRisks?: (risks: string[]) => Promise<boolean>;
}

function readValue(source: Source, rel: string): bigint | null {
  const r = source.read(rel);
  return r.ok ? parseKernelInt(r.text) ?? null : null;
}

export async function reconcile(source: Source, profile: Profile, opts: ReconcileOptions): Promise<ReconcileResult> {
  const tree = readPowercapTree(source);
  const pp = planProfile(tree, profile, {
    ...(opts.only === undefined ? {} : { only: opts.only }),
    ...(opts.powerSource === undefined ? {} : { powerSource: opts.powerSource }),
  });
  const dtpm = pp.plan.steps.some((s) => s.controlType === 'dtpm' && s.attribute === 'power_limit_uw');
  let trial: Map<string, bigint | null> | undefined;
  if (opts.snapshot) trial = trialOnSnapshot(opts.snapshot, pp.plan.steps);
  else if (dtpm && opts.energyModel) {
    const em = opts.energyModel();
    const doc = captureSnapshot(source, { energyModel: em, rootPath: '', emRootPath: em ? '' : null });
    trial = trialOnSnapshot(new SnapshotFile('', doc), pp.plan.steps);
  }
  const items: ItemOutcome[] = pp.steps.map((ps: ProfileStep) => {
    const expected = expectedValue(ps.step, trial);
    const before = ps.step.before;
    const inState = isInState(ps.step, before, expected);
    return { step: ps.step, item: ps.item, pair: ps.pair, before, expected, applied: inState ? before : null, inState, changed: false };
  });
  const todo = items.filter((i) => !i.inState);
  const base = { warnings: [...pp.plan.warnings, ...pp.plan.overrides], skipped: pp.skipped, aside: pp.aside, inState: todo.length === 0 };
  if (opts.check || todo.length === 0) return { ...base, items, changed: false, result: null };
  const risks = todo.flatMap((i) => {
    const r = limitRisk(i.step);
    return r ? [`${i.step.zoneId}${i.step.zoneName ? ` (${i.step.zoneName})` : ''} ${i.step.constraint ? constraintLabel(i.step.constraint) : ''}: ${r}`] : [];
  });
  if (risks.length && opts.confirmRisks && !(await opts.confirmRisks(risks))) {
    throw refused(`${risks.join('; ')}: that would starve the zone; nothing was written`, undefined, 'overridable');
  }

  const result = await applyPlan(source, { ...pp.plan, steps: todo.map((i) => i.step) }, opts.hooks ?? {}, { isRoot: opts.isRoot });
  const byRel = new Map(result.changes.map((c) => [c.step.rel, c]));
  for (const i of todo) {
    const c = byRel.get(i.step.rel);
    if (!c) continue;
    if (result.ok) {
      i.before = c.before;
      i.applied = c.applied;
      i.changed = true;
    } else {
      // rolled back: what the attribute holds now
      i.applied = readValue(source, i.step.rel);
    }
  }
  return { ...base, items, changed: result.ok, result };
}
