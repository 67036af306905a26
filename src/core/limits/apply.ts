/**
 * Applying a plan as one transaction: each write in order, the value read just
 * before it kept, the value read back after it reported (the kernel quantises
 * RAPL time windows and power in intel_rapl_common.c, DTPM applies what its children can in
 * dtpm.c). When a write fails, or the user interrupts between two writes, every
 * earlier write is restored to the value read before it, in reverse order.
 *
 * The same code runs on a live tree and on a snapshot (whose source goes through
 * the emulated kernel). It prints nothing: the caller renders the result.
 */
import { Exit, PowercapError } from '../errors.js';
import { parseKernelInt } from '../zones/powercap-tree.js';
import type { Source } from '../source/types.js';
import { writeErrorToPowercap } from './write-error.js';
import { constraintLabel, type LimitAttribute, type Plan, type PlanStep } from './plan.js';

export interface FileValue {
  zoneId: string;
  zoneName: string | null;
  rel: string;
  /** read just before the write */
  before: bigint | null;
  /** read back after it */
  applied: bigint | null;
}

export interface AppliedChange {
  step: PlanStep;
  /** read just before the write (may differ from step.before if something changed since planning) */
  before: bigint | null;
  /** read back after the write; null when the read failed */
  applied: bigint | null;
  /** other zones' files the write changed (DTPM descendants), with their values */
  dependents: FileValue[];
}

export interface RollbackEntry {
  zoneId: string;
  zoneName: string | null;
  constraint: { index: number; name: string | null } | null;
  attribute: LimitAttribute;
  rel: string;
  /** the value found before restoring (what the transaction had left) */
  from: bigint | null;
  /** the value written back: what was read before the transaction's write */
  restoredTo: bigint | null;
  /** read back after restoring */
  readBack: bigint | null;
  ok: boolean;
  /** why the restore failed, when it did */
  errno?: string;
}

export interface ApplyResult {
  ok: boolean;
  /** the writes made, in order (on failure: those made before it, now rolled back) */
  changes: AppliedChange[];
  /** restores made after a failure or an interruption, in the order made */
  rolledBack: RollbackEntry[];
  /** the step that failed, with its errno (null on success or interruption) */
  failed: { step: PlanStep; errno: string } | null;
  interrupted: boolean;
  /** the error to report: the failure's exit code (130 when interrupted); null on success */
  error: PowercapError | null;
}

export interface ApplyHooks {
  beforeWrite?(step: PlanStep): void;
  afterWrite?(step: PlanStep, change: AppliedChange): void;
  /** checked before each write; true stops the transaction and rolls back (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) */
  isInterrupted?(): boolean;
  /** the signal that interrupted, for the message and the exit code 128+N (default: SIGINT, 130) */
  interruptedBy?(): { signal: string; exitCode: number } | null;
}

export interface ApplyOptions {
  /** the process runs as root (for error messages: a refusal as root is the kernel's, not a permission) */
  isRoot: boolean;
}

/** `intel-rapl:0 long_term power limit` */
export function describeStep(s: Pick<PlanStep, 'zoneId' | 'constraint' | 'attribute'>): string {
  const attr = s.attribute === 'power_limit_uw' ? 'power limit' : s.attribute === 'time_window_us' ? 'time window' : 'enabled';
  return `${s.zoneId} ${s.constraint ? constraintLabel(s.constraint) + ' ' : ''}${attr}`;
}

const encode = (attribute: LimitAttribute, v: bigint): string => (attribute === 'enabled' ? (v === 0n ? '0\n' : '1\n') : `${v}\n`);

function readValue(source: Source, rel: string): bigint | null {
  const r = source.read(rel);
  if (!r.ok) return null;
  return parseKernelInt(r.text) ?? null;
}

/** Let pending signals (SIGINT, SIGTERM, …) reach their handlers between two synchronous writes. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function applyPlan(source: Source, plan: Plan, hooks: ApplyHooks, opts: ApplyOptions): Promise<ApplyResult> {
  const isRoot = opts.isRoot;
  const kind = source.info.kind;
  const changes: AppliedChange[] = [];
  let failed: ApplyResult['failed'] = null;
  let cause: PowercapError | null = null;
  let interrupted = false;

  for (const step of plan.steps) {
    await yieldToEventLoop();
    if (hooks.isInterrupted?.()) {
      interrupted = true;
      break;
    }
    const before = readValue(source, step.rel) ?? step.before;
    const deps = step.dependents.map((d) => ({ ...d, before: readValue(source, d.rel), applied: null as bigint | null }));
    hooks.beforeWrite?.(step);
    const text = encode(step.attribute, step.requested);
    try {
      source.write(step.rel, text);
    } catch (err) {
      const mapped = writeErrorToPowercap(err, { source: kind, isRoot, controlType: step.controlType, raplInterface: step.raplInterface, what: describeStep(step), value: text });
      failed = { step, errno: (err as { errno?: string }).errno ?? 'EIO' };
      cause = mapped;
      break;
    }
    for (const d of deps) d.applied = readValue(source, d.rel);
    const change: AppliedChange = { step, before, applied: readValue(source, step.rel), dependents: deps };
    changes.push(change);
    hooks.afterWrite?.(step, change);
  }

  if (!failed && !interrupted) return { ok: true, changes, rolledBack: [], failed: null, interrupted: false, error: null };

  const rolledBack = rollback(source, changes);
  const undone = rollbackSummary(changes.length, rolledBack);
  let error: PowercapError;
  if (interrupted) {
    const by = hooks.interruptedBy?.() ?? null;
    error = new PowercapError((by?.exitCode ?? Exit.INTERRUPTED) as typeof Exit.INTERRUPTED,
      `interrupted${by ? ` by ${by.signal}` : ''} before all writes were made: ${undone}`,
      rolledBack.some((r) => !r.ok) ? 'check the values named above by hand' : undefined);
  } else {
    error = new PowercapError(cause!.exitCode, `${cause!.message}; ${undone}`, cause!.hint, { cause });
  }
  return { ok: false, changes, rolledBack, failed, interrupted, error };
}

function rollbackSummary(writes: number, entries: RollbackEntry[]): string {
  if (writes === 0) return 'nothing was changed';
  const bad = entries.filter((e) => !e.ok);
  const what = `${writes} earlier write${writes === 1 ? '' : 's'}`;
  return bad.length === 0
    ? `${what} ${writes === 1 ? 'was' : 'were'} rolled back`
    : `${what} rolled back, but NOT restored: ${bad.map((b) => b.rel).join(', ')}`;
}

/**
 * Restore, newest first, every value a change wrote. A DTPM write also moved its
 * descendants' limits: the node is restored first (which re-splits), then each
 * descendant still away from its old value, parents before children. Each entry
 * reports the value the transaction had left (`from`) and the value read back.
 */
export function rollback(source: Source, changes: AppliedChange[]): RollbackEntry[] {
  const out: RollbackEntry[] = [];
  for (const ch of [...changes].reverse()) {
    const s = ch.step;
    const targets = [
      { zoneId: s.zoneId, zoneName: s.zoneName, rel: s.rel, before: ch.before, constraint: s.constraint },
      ...ch.dependents.map((d) => ({ zoneId: d.zoneId, zoneName: d.zoneName, rel: d.rel, before: d.before, constraint: s.constraint })),
    ].map((t) => ({ ...t, from: readValue(source, t.rel) }));
    targets.forEach((t, i) => {
      const entry: RollbackEntry = {
        zoneId: t.zoneId, zoneName: t.zoneName, constraint: t.constraint, attribute: s.attribute, rel: t.rel,
        from: t.from, restoredTo: t.before, readBack: t.from, ok: true,
      };
      if (t.before === null) {
        entry.ok = false;
        entry.errno = 'unknown previous value';
        out.push(entry);
        return;
      }
      const now = i === 0 ? t.from : readValue(source, t.rel);
      // the written node is always restored; a descendant only when it is still away from its old value
      if (i === 0 || now !== t.before) {
        try {
          source.write(t.rel, encode(s.attribute, t.before));
        } catch (err) {
          entry.ok = false;
          entry.errno = (err as { errno?: string }).errno ?? 'EIO';
        }
      }
      entry.readBack = readValue(source, t.rel);
      // a descendant the transaction never moved is not worth a line
      if (i === 0 || t.from !== t.before || !entry.ok) out.push(entry);
    });
  }
  return out;
}
