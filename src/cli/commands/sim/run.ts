/**
 * powercapctl sim: a scenario's policies on the virtual clock (core/sim/run.ts), their figures
 * side by side or as JSON, the first run plotted with --svg; or, with --serve, the plant in real
 * time in real files until a signal (core/sim/serve.ts).
 */
import * as os from 'node:os';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { loadScenario, type LoadedScenario } from '../../../core/sim/load.js';
import { runSim, type SimResult } from '../../../core/sim/run.js';
import type { SimFigures } from '../../../core/sim/figures.js';
import type { PolicyKind } from '../../../core/sim/scenario.js';
import { assertWritableFile, writeFileAtomic } from '../../../core/atomic.js';
import { formatCelsius, formatDuration, formatJoules, formatPower } from '../../../core/units.js';
import { renderColumns, type ColumnCell } from '../../render/columns.js';
import { signalExit, trapSignals } from '../../signals.js';
import { jsonVisible, visible } from '../../visible.js';
import { withFormat } from '../../io.js';
import type { SimArgs, SimOptions } from './spec.js';

export async function run(ctx: CommandContext, [file]: SimArgs, opts: SimOptions): Promise<void> {
  const policies: PolicyKind[] = opts.policy ? [...new Set(opts.policy)] : [];
  if (opts.svg !== undefined) {
    if (policies.length > 1) throw usageError('--svg plots one run: give one --policy with it', `e.g. --policy ${policies[0]} --svg ${opts.svg}`);
    assertWritableFile(opts.svg);
  }
  const loaded = await loadScenario(file);
  if (opts.serve !== undefined) return serve(ctx, loaded, opts.serve);
  if (policies.length === 0) policies.push(loaded.scenario.policy.kind);

  const runs: Array<{ result: SimResult; elapsedMs: number }> = [];
  for (const policy of policies) {
    const t0 = process.hrtime.bigint();
    const result = await runSim(loaded, { policy });
    runs.push({ result, elapsedMs: Number(process.hrtime.bigint() - t0) / 1e6 });
  }
  const s = loaded.scenario;
  if (opts.svg !== undefined) {
    const { simSvgPlot } = await import('../../../core/sim/plot.js');
    const r = runs[0]!.result;
    writeFileAtomic(opts.svg, simSvgPlot({ title: `${s.description ?? file}: ${r.policy}`, trace: r.trace, labels: r.names }));
  }
  if (ctx.globals.json) {
    ctx.io.json({
      scenario: file, description: s.description, durationUs: s.durationUs, intervalUs: s.intervalUs, tickUs: s.tickUs,
      zones: s.zones.map((z, i) => ({ id: z.id, name: runs[0]!.result.names[i] ?? null })),
      runs: runs.map(({ result, elapsedMs }) => ({ policy: result.policy, elapsedMs: Math.round(elapsedMs * 10) / 10, figures: result.figures })),
    });
    return;
  }
  ctx.io.out(figuresTable(file, loaded, runs));
  if (opts.svg !== undefined) ctx.io.note(`plotted ${runs[0]!.result.policy} in ${opts.svg}`);
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const celsius = (v: number | null) => (v === null ? '–' : formatCelsius(v));

/** One row per figure, one column per policy. */
function figuresTable(file: string, l: LoadedScenario, runs: Array<{ result: SimResult; elapsedMs: number }>): string {
  const s = l.scenario;
  const f = (pick: (x: SimFigures) => string): ColumnCell[] => runs.map((r) => ({ content: pick(r.result.figures), align: 'right' }));
  const thermal = s.thermal !== null;
  const rows: Array<[string, ColumnCell[]]> = [
    ['energy delivered', f((x) => formatJoules(x.energyJ))],
    [`of the ideal`, f((x) => `${pct(x.energyRatio)} of ${formatJoules(x.idealEnergyJ)}`)],
    ['peak power / budget', f((x) => pct(x.peakPowerRatio))],
    ['steps over 1.02 × budget', f((x) => String(x.powerOverBudgetSteps))],
    ['steps with limits over it', f((x) => String(x.limitsOverBudgetSteps))],
    ['writes', f((x) => String(x.writes))],
    ['most writes, a zone a period', f((x) => String(x.maxWritesPerZonePerPeriod))],
    ['DTPM parent writes', f((x) => String(x.dtpmParentWrites))],
  ];
  if (thermal) {
    rows.push(['temperature peak', f((x) => celsius(x.temperaturePeakC))]);
    rows.push(['mean |T − target|, last third', f((x) => celsius(x.meanAbsErrorC))]);
  }
  rows.push([thermal ? 'settled (±0.5 °C) from' : 'within the budget from', f((x) => (x.settleS === 0 ? 'the start' : formatDuration(Math.round(x.settleS * 1e6))))]);
  rows.push(['ran in', runs.map((r): ColumnCell => ({ content: `${r.elapsedMs.toFixed(0)} ms`, align: 'right' }))]);
  const head = `${visible(file)}${s.description ? `: ${visible(s.description)}` : ''}\n`
    + `${formatDuration(s.durationUs)}, ${s.zones.length} zone${s.zones.length === 1 ? '' : 's'}, a period every ${formatDuration(s.intervalUs)}`
    + (s.policy.kind !== 'govern' && s.policy.budgetUw !== null ? `, budget ${formatPower(s.policy.budgetUw)}` : '') + '\n';
  return head + '\n' + renderColumns(['', ...runs.map((r) => r.result.policy)], rows.map(([label, cells]) => [label, ...cells]));
}

/** the served plant's nice value when it may take one (lower runs first) */
const PLANT_PRIORITY = -10;

async function serve(ctx: CommandContext, loaded: LoadedScenario, dir: string): Promise<void> {
  const { serve: servePlant } = await import('../../../core/sim/serve.js');
  // the plant stands in for the kernel, whose counters do not wait for the scheduler: when allowed
  // (root), it runs ahead of ordinary processes, so a busy machine delays its steps less
  try { os.setPriority(PLANT_PRIORITY); } catch { /* not allowed: it runs as it is */ }
  const { monotonicClock } = await import('../../clock.js');
  const ac = new AbortController();
  const trap = trapSignals(() => ac.abort());
  try {
    const summary = await servePlant({
      dir, loaded, clock: monotonicClock, signal: ac.signal,
      onReady: (paths) => {
        // one line, for a script that reads it while the plant runs
        if (ctx.globals.json) process.stdout.write(jsonVisible(JSON.stringify(withFormat({ ...paths, zones: loaded.scenario.zones.map((z) => z.id), tickUs: loaded.scenario.tickUs }, 'sim serve'))) + '\n');
        else {
          ctx.io.out(`serving ${visible(loaded.scenario.file)} in ${visible(dir)}: a step every ${formatDuration(loaded.scenario.tickUs)}, until SIGTERM or Ctrl-C`);
          ctx.io.out(`  --root ${visible(paths.powercap)}${paths.thermal ? ` --thermal-root ${visible(paths.thermal)}` : ''}`);
          ctx.io.out(`  trace: ${visible(paths.trace)}`);
        }
      },
    });
    if (!ctx.globals.json) ctx.io.note(`served ${summary.steps} steps (${summary.late} late), ${summary.parentWrites} DTPM parent write${summary.parentWrites === 1 ? '' : 's'}`);
  } finally {
    trap.release();
  }
  if (trap.signal && trap.signal !== 'SIGTERM') process.exitCode = signalExit(trap.signal);
}
