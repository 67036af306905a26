/**
 * What balance and govern share: the zones from the command line (ZONE… and --under), the
 * checks made before anything is measured, and the loop (core/balance/run.ts) with its outputs:
 * the live view on a terminal, one NDJSON record a period with --json, else a line per period
 * that wrote; the report file; warnings for what a person should know. Signals go through the
 * one trap (cli/signals.ts): SIGTERM ends with exit 0 once the limits found are back, any other
 * with 128+N.
 */
import type { CommandContext } from '../../context.js';
import type { OpenedSource } from '../../../core/source/open.js';
import { usageError } from '../../../core/errors.js';
import { readPowercapTree, type PowercapTree, type Zone } from '../../../core/zones/powercap-tree.js';
import { describeZone, resolveZone, selectZones } from '../../../core/zones/select.js';
import { checkLimitsWritable, dtpmLeavesUnder, dtpmLevels, planBalanceZones, type BalanceZone } from '../../../core/balance/zones.js';
import { BalanceController, type PeriodRecord } from '../../../core/balance/controller.js';
import type { BudgetSource } from '../../../core/balance/budget.js';
import { balanceReport } from '../../../core/balance/report.js';
import { runBalance } from '../../../core/balance/run.js';
import { DTPM_CONTROL_TYPE } from '../../../core/kernel/dtpm.js';
import { buildDtpmForest } from '../../../core/dtpm/fromTree.js';
import { readEnergyModel } from '../../../core/em/debugfs.js';
import { monotonicClock } from '../../clock.js';
import { assertWritableFile, writeFileAtomic } from '../../../core/atomic.js';
import { toJson } from '../../../core/json.js';
import { formatDuration, formatPower } from '../../../core/units.js';
import { trapSignals, signalExit } from '../../signals.js';
import { withFormat } from '../../io.js';
import { jsonVisible, visible } from '../../visible.js';
import type { LoopOptions } from './options.js';
import { budgetProblem, eventWarning, periodLine, writeText } from './words.js';

export interface LoopPlan {
  src: OpenedSource;
  tree: PowercapTree;
  zones: BalanceZone[];
  intervalUs: number;
}

/** The zones named (ZONE… in the order given, then the leaves under each --under node). */
function namedZones(tree: PowercapTree, refs: readonly string[], under: readonly string[]): Zone[] {
  const out: Zone[] = refs.flatMap((r) => selectZones(tree, [r]));
  for (const u of under) out.push(...dtpmLeavesUnder(resolveZone(tree, u)));
  if (out.length === 0) throw usageError('no zones to balance', 'name them (dtpm:0:0:0 dtpm:0:0:1 …), or give a DTPM node with --under');
  return out;
}

/** ZONE=VALUE pairs by zone id; the zone must be one of those managed. */
function byZone<T>(tree: PowercapTree, zones: readonly Zone[], pairs: ReadonlyArray<{ name: string; value: T }>, flag: string): Map<string, T> {
  const ids = new Set(zones.map((z) => z.id));
  const out = new Map<string, T>();
  for (const { name, value } of pairs) {
    const z = resolveZone(tree, name);
    if (!ids.has(z.id)) throw usageError(`--${flag} ${name}: ${describeZone(z)} is not one of the zones managed`, `the zones: ${[...ids].join(' ')}`);
    out.set(z.id, value);
  }
  return out;
}

/**
 * The zones and how each is read and written, checked before anything is measured: each zone
 * once, DTPM leaves only, a power reading and a writable limit (exit 2), and, on a live tree
 * unless it is a dry run, the permission to write every limit (exit 4).
 */
export function planLoop(ctx: CommandContext, refs: readonly string[], opts: LoopOptions): LoopPlan {
  const src = ctx.source();
  const tree = readPowercapTree(src.powercap);
  const selected = namedZones(tree, refs, opts.under);
  const hasDtpm = selected.some((z) => z.controlType === DTPM_CONTROL_TYPE);
  let levelsUw = new Map<string, number[]>();
  if (hasDtpm) {
    // the states each DTPM leaf can store, from the energy model when there is one
    const em = ctx.energyModel();
    if (em) levelsUw = dtpmLevels(buildDtpmForest(tree, src.registry, readEnergyModel(em)));
  }
  const zones = planBalanceZones(tree, selected, {
    ...(opts.constraint !== undefined ? { constraint: opts.constraint } : {}),
    minUw: byZone(tree, selected, opts.min.map((m) => ({ name: m.name, value: Number(m.value) })), 'min'),
    weight: byZone(tree, selected, opts.weight, 'weight'),
    levelsUw,
  });
  for (const m of opts.min) {
    const z = zones.find((x) => x.id === resolveZone(tree, m.name).id)!;
    if (Number(m.value) > z.maxUw) throw usageError(`--min ${m.name}=${formatPower(Number(m.value))}: above the zone's maximum ${formatPower(z.maxUw)}`);
  }
  if (!opts.dryRun && src.info.kind === 'live') checkLimitsWritable(src.info.root, zones);
  if (opts.report !== undefined) assertWritableFile(opts.report);
  return { src, tree, zones, intervalUs: Number(opts.interval) };
}

export interface LoopOutput {
  command: 'balance' | 'govern';
  /** govern: the thermal zone's name, for the view and the log */
  thermalName: string | null;
  /** the budget file followed (balance --budget-file), for its warnings */
  budgetFile: string | null;
}

/** Run the loop until a signal or the duration, then restore (unless --keep); outputs as the options say. */
export async function runLoop(ctx: CommandContext, plan: LoopPlan, budget: BudgetSource, opts: LoopOptions, out: LoopOutput): Promise<void> {
  const controller = new BalanceController({ source: plan.src.powercap, zones: plan.zones, budget, dryRun: opts.dryRun });
  const json = ctx.globals.json;
  const viewed = !json && ctx.io.stdoutIsTTY;
  const ac = new AbortController();
  const trap = trapSignals(() => ac.abort());

  // the live view (a terminal), NDJSON (--json), or a line per period that wrote
  const v = viewed ? await import('./view.js') : null;
  const table = viewed ? await import('../watch/table.js') : null;
  const state = v ? v.newViewState(out.command, out.thermalName, plan.intervalUs) : null;
  const write = (s: string) => { process.stdout.write(s); };
  const redrawer = table ? new table.Redrawer(write, true) : null;
  const colors = { color: ctx.globals.color, isTTY: ctx.io.stdoutIsTTY };
  const draw = () => redrawer!.frame(v!.frameLines(state!, { rows: process.stdout.rows ?? 0, columns: process.stdout.columns ?? 0 }, colors));
  const onResize = () => { redrawer!.clear(); draw(); };
  const restoreScreen = () => redrawer?.restore();
  if (redrawer) {
    process.stdout.on('resize', onResize);
    process.once('exit', restoreScreen);
    draw();
  }
  const warnings: string[] = [];
  const warn = (msg: string) => {
    if (state) {
      state.notes.push(msg);
      warnings.push(msg);
    } else ctx.io.warn(msg);
  };
  if (!viewed && !json) {
    const names = plan.zones.map((z) => (z.name ? `${visible(z.id)} (${visible(z.name)})` : visible(z.id))).join(', ');
    ctx.io.out(`${out.command}: ${plan.zones.length} zone${plan.zones.length === 1 ? '' : 's'} every ${formatDuration(plan.intervalUs)}${opts.dryRun ? ' (dry run: nothing is written)' : ''}: ${names}`);
  }

  let lastProblem: string | null = null;
  const onRecord = (r: PeriodRecord) => {
    for (const e of r.events) {
      const w = eventWarning(e);
      if (w) warn(w);
    }
    if (out.budgetFile !== null) {
      const p = budgetProblem(out.budgetFile, r.budget);
      if (p !== lastProblem && r.reason !== 'restore') {
        if (p) warn(p);
        else if (lastProblem) warn(`the budget file ${visible(out.budgetFile)} is followed again: ${formatPower(r.budget.budgetUw)}`);
        lastProblem = p;
      }
    }
    if (opts.report !== undefined) writeFileAtomic(opts.report, toJson(balanceReport(r)) + '\n');
    if (json) write(jsonVisible(JSON.stringify(withFormat(r, out.command))) + '\n');
    else if (state) {
      // the restore is said once the screen is back
      if (r.reason === 'restore') return;
      v!.addRecord(state, r);
      draw();
    } else if (r.reason === 'restore') {
      if (r.writes.length) ctx.io.out(`restored the limits found at the start: ${r.writes.map(writeText).join(', ')}`);
    } else if (r.writes.length) ctx.io.out(periodLine(r, out.thermalName));
  };

  let restored: PeriodRecord | null = null;
  try {
    const result = await runBalance({
      controller, intervalUs: plan.intervalUs, clock: monotonicClock, signal: ac.signal, startWallMs: Date.now(),
      durationUs: opts.duration === undefined ? null : Number(opts.duration), keep: opts.keep, onRecord,
    });
    restored = result.restore;
  } finally {
    trap.release();
    if (redrawer) {
      process.stdout.removeListener('resize', onResize);
      restoreScreen();
      process.removeListener('exit', restoreScreen);
    }
  }
  // what the view showed, said once more where it stays
  for (const w of warnings) ctx.io.warn(w);
  if (state) {
    const total = [...state.writes.values()].reduce((a, b) => a + b, 0);
    const endUs = restored?.tUs ?? state.last?.tUs ?? 0;
    ctx.io.out(`${out.command}: ${formatDuration(endUs)}, ${total} write${total === 1 ? '' : 's'}`
      + (restored ? (restored.writes.length ? `; restored ${restored.writes.map(writeText).join(', ')}` : '; the limits found at the start are in force') : opts.keep ? '; the limits are kept' : ''));
  }
  const released = controller.zones.filter((_, i) => restored?.zones[i]?.state === 'released');
  if (released.length && !json) ctx.io.note(`left as another program set them: ${released.map((z) => visible(z.id)).join(', ')}`);
  // SIGTERM is how a service is stopped: the limits are back, and that is success
  if (trap.signal && trap.signal !== 'SIGTERM') process.exitCode = signalExit(trap.signal);
}
