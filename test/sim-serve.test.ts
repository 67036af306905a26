/**
 * The commands as separate processes against a plant in real time (issue 20 "What is measured"):
 * `powercapctl sim --serve` lays out a powercap tree and publishes power_uw / wrapping energy_uj
 * every 20 ms by replacing the files whole; `powercapctl balance` and `govern` run against it as
 * the checks run them; the test stops them with SIGTERM and judges the run from the plant's
 * trace alone, as the checks do with theirs.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLES } from './helpers.js';
import { ndjson, start, stop, waitFor, type Proc } from './fixtures/running.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { readTrace, type ServePaths } from '../src/core/sim/serve.js';
import { computeFigures, sliceTrace, type SimFigures } from '../src/core/sim/figures.js';
import type { PeriodRecord } from '../src/core/balance/controller.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A plant serving `scenarioText` (its snapshot named relative to examples/). */
async function servePlant(scenarioText: string): Promise<{ dir: string; paths: ServePaths; proc: Proc }> {
  const dir = makeTempDir('powercapctl-serve-');
  dirs.push(dir);
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, scenarioText);
  const proc = start(['sim', file, '--serve', path.join(dir, 'plant'), '--json']);
  const line = await waitFor('the plant to be ready', () => proc.out().split('\n').find((l) => l.startsWith('{')) ?? (proc.child.exitCode !== null && (() => { throw new Error(proc.err()); })()));
  return { dir, paths: JSON.parse(line) as ServePaths, proc };
}

const records = (p: Proc): PeriodRecord[] => ndjson<PeriodRecord>(p);
const lastRecordT = (p: Proc) => records(p).filter((r) => r.reason !== 'restore').at(-1)?.tUs ?? -1;
const traceEnd = (paths: ServePaths) => {
  const lines = fs.readFileSync(paths.trace, 'utf8').trim().split('\n');
  return lines.length > 1 ? (JSON.parse(lines.at(-1)!) as { t: number }).t : 0;
};
/** the plant's time of the controller's first write: period 0 lowers the limits found at boot */
const firstWriteT = (text: string) => text.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { t: number; writes: number[] }).find((s) => s.writes.some((w) => w > 0))!.t;

/** Wait until the engine's records reach `tUs` (its own time since it started); fail with its stderr if it ends first. */
const runUntil = (ctl: Proc, tUs: number, timeoutMs = 30000) =>
  waitFor(`${tUs / 1e6} s of the engine`, () => lastRecordT(ctl) >= tUs || (ctl.child.exitCode !== null && (() => { throw new Error(ctl.err()); })()), timeoutMs);

/** The figures of the plant's trace while the engine ran: from its first write to `stopT`, budget checks from 1.5 s on. */
function servedFigures(paths: ServePaths, stopT: number, budgetAt: (tUs: number) => number, targetAt: ((tUs: number) => number) | null = null) {
  const text = fs.readFileSync(paths.trace, 'utf8');
  const t0 = firstWriteT(text);
  const trace = readTrace(text, budgetAt, targetAt);
  const figures = computeFigures(trace, { intervalUs: 200_000, fromUs: t0, untilUs: stopT, checkFromUs: t0 + 1_500_000 });
  return { figures, trace: sliceTrace(trace, t0, stopT) };
}

/**
 * Stop the command with SIGTERM: exit 0, its last record the restore, and the limits it found at the
 * start back in the plant's files once the plant has taken the restore in. Returns the plant's time
 * when the command was stopped.
 */
async function stopRestored(ctl: Proc, paths: ServePaths, limitFiles: string[], found: string[]): Promise<number> {
  const stopT = traceEnd(paths);
  assert.equal(await stop(ctl), 0, ctl.err());
  assert.equal(records(ctl).at(-1)!.reason, 'restore');
  await waitFor('the restore to reach the plant', () => traceEnd(paths) > stopT + 100_000);
  assert.deepEqual(limitFiles.map((f) => fs.readFileSync(path.join(paths.powercap, f), 'utf8').trim()), found, 'the limits found at the start are back');
  return stopT;
}

/** The figures as the report gives them. */
const said = (f: SimFigures) => JSON.stringify({
  energyRatio: +f.energyRatio.toFixed(4), peakPowerRatio: +f.peakPowerRatio.toFixed(4), powerOverBudgetSteps: f.powerOverBudgetSteps, limitsOverBudgetSteps: f.limitsOverBudgetSteps,
  minWriteGapS: f.minWriteGapS, dtpmParentWrites: f.dtpmParentWrites, temperaturePeakC: f.temperaturePeakC, meanAbsErrorC: f.meanAbsErrorC,
});

/**
 * One write a zone a period: in the engine's records, and as the plant saw them: no two writes of
 * a zone closer than half a period (the command keeps its periods an interval apart, also after
 * a late one; the plant's 20 ms steps, late themselves on a busy machine, blur the times).
 */
function assertOnePerZonePerPeriod(recs: PeriodRecord[], f?: SimFigures): void {
  for (const r of recs) assert.equal(new Set(r.writes.map((w) => w.id)).size, r.writes.length, `period ${r.period}`);
  if (f && f.minWriteGapS !== null) assert.ok(f.minWriteGapS >= 0.1, `two writes of one zone ${f.minWriteGapS} s apart`);
}

const rk3399Moving = (extra = '') => `version: 1
snapshot: ${path.join(EXAMPLES, 'rk3399-dtpm.json')}
zones: [dtpm:0:0:0, dtpm:0:0:1, dtpm:0:0:2]
duration: 60s
interval: 200ms
limits: clamp
workload:
  repeat: 6s
  zones:
    - zone: dtpm:0:0:0
      demand: [{ at: 0s, power: 200mW }, { at: 2s, power: 300mW }, { at: 4s, power: 700mW }]
    - zone: dtpm:0:0:1
      demand: [{ at: 0s, power: 400mW }, { at: 2s, power: 2W }, { at: 4s, power: 1.2W }]
    - zone: dtpm:0:0:2
      demand: [{ at: 0s, power: 2W }, { at: 2s, power: 500mW }, { at: 4s, power: 1.2W }]
${extra}policy: { kind: balance, budget: 2.5W }
`;

const BOOT_LIMITS = ['716848', '2260224', '2555520'];
const LEAF_LIMITS = ['0', '1', '2'].map((i) => `dtpm:0:0:${i}/constraint_0_power_limit_uw`);
const leafLimits = (paths: ServePaths) => LEAF_LIMITS.map((f) => fs.readFileSync(path.join(paths.powercap, f), 'utf8').trim());

describe('balance against a served plant, as separate processes', () => {
  test('rk3399 under 2.5 W, demand moving: ≥ 90 % of the ideal, never over the budget, one write per zone per period; SIGTERM restores', async (t) => {
    const { paths, proc: plant } = await servePlant(rk3399Moving());
    try {
      assert.deepEqual(leafLimits(paths), BOOT_LIMITS);
      const ctl = start(['--root', paths.powercap, 'balance', '--json', '--budget', '2.5W', '--interval', '200ms', 'dtpm:0:0:0', 'dtpm:0:0:1', 'dtpm:0:0:2']);
      await runUntil(ctl, 7_000_000);
      const stopT = await stopRestored(ctl, paths, LEAF_LIMITS, BOOT_LIMITS);
      const f: SimFigures = servedFigures(paths, stopT, () => 2_500_000).figures;
      t.diagnostic(said(f));
      assert.ok(f.energyRatio >= 0.9, `energy ${f.energyRatio.toFixed(3)} of the ideal`);
      assert.equal(f.powerOverBudgetSteps, 0, `peak ${f.peakPowerRatio}`);
      assert.equal(f.limitsOverBudgetSteps, 0);
      assert.equal(f.dtpmParentWrites, 0);
      assertOnePerZonePerPeriod(records(ctl), f);
    } finally {
      await stop(plant);
    }
  });

  test('the budget file rewritten from 2.5 W to 1.5 W mid-run: within the new budget a second after the change', async (t) => {
    const { dir, paths, proc: plant } = await servePlant(rk3399Moving());
    try {
      const budget = path.join(dir, 'budget.yaml');
      const write = (text: string) => { fs.writeFileSync(`${budget}.tmp`, text); fs.renameSync(`${budget}.tmp`, budget); };
      write('budget: 2.5W\n');
      const ctl = start(['--root', paths.powercap, 'balance', '--json', '--budget-file', budget, '--interval', '200ms', 'dtpm:0:0:0', 'dtpm:0:0:1', 'dtpm:0:0:2']);
      await runUntil(ctl, 3_000_000);
      const changeT = traceEnd(paths);
      write('budget: 1.5W\n');
      await runUntil(ctl, 6_000_000);
      const stopT = await stopRestored(ctl, paths, LEAF_LIMITS, BOOT_LIMITS);
      const f = servedFigures(paths, stopT, (at) => (at < changeT ? 2_500_000 : 1_500_000)).figures;
      t.diagnostic(said(f));
      assert.equal(f.powerOverBudgetSteps, 0, `peak ${f.peakPowerRatio}`);
      assert.equal(f.limitsOverBudgetSteps, 0);
      assert.ok(f.energyRatio >= 0.9, `energy ${f.energyRatio.toFixed(3)}`);
      const after = records(ctl).filter((r) => r.reason !== 'restore' && r.budget.budgetUw === 1_500_000);
      assert.ok(after.length >= 10 && after.every((r) => r.sumLimitsUw <= 1_500_000));
      assertOnePerZonePerPeriod(records(ctl), f);
    } finally {
      await stop(plant);
    }
  });

  test('two RAPL sockets under 250 W, load moving between them: ≥ 90 % of the ideal; energy counters that wrap, read anew each period', async (t) => {
    const dir = makeTempDir('powercapctl-xeon-');
    dirs.push(dir);
    // the counters start 5 J before their wrap: at 200 W they wrap within the first 25 ms
    const snap = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'xeon-2s.json'), 'utf8'));
    for (const id of ['intel-rapl:0', 'intel-rapl:1']) snap.powercap.dirs['intel-rapl'].dirs[id].attrs.energy_uj = '262138328850\n';
    fs.writeFileSync(path.join(dir, 'xeon.json'), JSON.stringify(snap));
    const { paths, proc: plant } = await servePlant(`version: 1
snapshot: ${path.join(dir, 'xeon.json')}
zones: [intel-rapl:0, intel-rapl:1]
duration: 60s
interval: 200ms
workload:
  repeat: 6s
  zones:
    - zone: intel-rapl:0
      demand: [{ at: 0s, power: 200W }, { at: 3s, power: 60W }]
    - zone: intel-rapl:1
      demand: [{ at: 0s, power: 60W }, { at: 3s, power: 195W }]
policy: { kind: balance, budget: 250W }
`);
    try {
      const ctl = start(['--root', paths.powercap, 'balance', '--json', '--budget', '250W', '--interval', '200ms', 'intel-rapl:0', 'intel-rapl:1']);
      await runUntil(ctl, 9_000_000);
      const stopT = await stopRestored(ctl, paths, ['intel-rapl:0', 'intel-rapl:1'].map((z) => `${z}/constraint_0_power_limit_uw`), ['205000000', '205000000']);
      const energy = Number(fs.readFileSync(path.join(paths.powercap, 'intel-rapl:0', 'energy_uj'), 'utf8'));
      assert.ok(energy < 262138328850, 'the counter wrapped');
      const recs = records(ctl);
      assert.ok(recs.every((r) => r.events.every((e) => e.kind !== 'power-gap')), 'no gap across the wrap');
      assert.ok(recs.every((r) => r.writes.every((w) => w.toUw % 125_000 === 0)));
      const f = servedFigures(paths, stopT, () => 250_000_000).figures;
      t.diagnostic(said(f));
      // the counters are read until they step, so a period's power is exact whatever the plant's
      // 20 ms steps; measured over the second half of a period when the demand moved
      assert.ok(f.energyRatio >= 0.9, `energy ${f.energyRatio.toFixed(3)}`);
      assert.equal(f.powerOverBudgetSteps, 0);
      assert.equal(f.limitsOverBudgetSteps, 0);
      assertOnePerZonePerPeriod(recs, f);
    } finally {
      await stop(plant);
    }
  });

  test('govern holds 45 °C on a 3 s time constant: peak ≤ 46 °C, mean |T − 45 °C| ≤ 0.5 °C over the last third of 30 s', async (t) => {
    const scenario = fs.readFileSync(path.join(EXAMPLES, 'sim-rk3399-govern.yaml'), 'utf8').replace('snapshot: rk3399-dtpm.json', `snapshot: ${path.join(EXAMPLES, 'rk3399-dtpm.json')}`);
    const { paths, proc: plant } = await servePlant(scenario);
    try {
      const ctl = start(['--root', paths.powercap, 'govern', '--json', '--thermal-root', paths.thermal!, '--thermal-zone', 'skin-therm', '--target', '45C',
        '--sustainable-power', '2W', '--interval', '200ms', 'dtpm:0:0:0', 'dtpm:0:0:1', 'dtpm:0:0:2']);
      await runUntil(ctl, 30_000_000, 60_000);
      const stopT = await stopRestored(ctl, paths, LEAF_LIMITS, BOOT_LIMITS);
      const { figures: f } = servedFigures(paths, stopT, () => 0, () => 45_000);
      t.diagnostic(said(f));
      assert.ok(f.temperaturePeakC! <= 46, `peak ${f.temperaturePeakC}`);
      assert.ok(f.meanAbsErrorC! <= 0.5, `mean |T − 45 °C| over the last third ${f.meanAbsErrorC}`);
      const recs = records(ctl);
      assert.ok(recs.filter((r) => r.reason !== 'restore').every((r) => r.budget.origin === 'govern' && r.budget.governor!.temperatureMc !== null));
      assert.equal(f.dtpmParentWrites, 0);
      assertOnePerZonePerPeriod(recs, f);
    } finally {
      await stop(plant);
    }
  });
});
