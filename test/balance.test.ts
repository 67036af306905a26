/**
 * balance's engine (issue 20): the allocation pinned by worked examples with the numbers written
 * out (rk3399's DTPM leaves under 2.5 W), the write order proved on every prefix, and the
 * controller period by period against an in-memory tree: external changes, the kernel settling
 * a request, failed writes, energy counters that wrap, the budget file, the restore.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, classify, planWrites, waterFill, slackWant, minimumBudgetUw, DEFAULT_ALLOC_PARAMS, type AllocZone } from '../src/core/balance/allocate.js';
import { BalanceController } from '../src/core/balance/controller.js';
import { budgetBelowMinimum, createFileBudget, fixedBudget, type BudgetContext, type BudgetFileRead } from '../src/core/balance/budget.js';
import { planBalanceZones, dtpmLeavesUnder } from '../src/core/balance/zones.js';
import { balanceReport } from '../src/core/balance/report.js';
import { declaredTree } from '../src/core/sim/load.js';
import { TreeSource, type DirNode } from '../src/core/source/tree.js';
import { SysfsError, PowercapError } from '../src/core/errors.js';
import { readPowercapTree } from '../src/core/zones/powercap-tree.js';
import { formatPower } from '../src/core/units.js';
import { readPass } from '../src/core/watch/zones.js';

// rk3399's leaves (examples/rk3399-dtpm.json): min = max − max_power_range_uw
const A53 = { id: 'dtpm:0:0:0', minUw: 111076, maxUw: 716848 };
const A72 = { id: 'dtpm:0:0:1', minUw: 242150, maxUw: 2260224 };
const GPU = { id: 'dtpm:0:0:2', minUw: 359370, maxUw: 2555520 };
const zone = (b: typeof A53, powerUw: number | null, limitUw: number, weight = 1): AllocZone => ({ ...b, powerUw, limitUw, weight });

describe('allocation', () => {
  test('a zone at 95 % of its limit or more is saturated; below, slack; no reading, unknown', () => {
    assert.equal(classify({ powerUw: 950_000, limitUw: 1_000_000 }, 0.95), 'saturated');
    assert.equal(classify({ powerUw: 949_999, limitUw: 1_000_000 }, 0.95), 'slack');
    assert.equal(classify({ powerUw: null, limitUw: 1_000_000 }, 0.95), 'unknown');
  });

  test('water-filling by weight: a share above a zone\'s room is cut there and re-shared', () => {
    // 3 W over weights 1, 1, 2 with rooms 0.5 W, 2 W, 2 W: 0.75/0.75/1.5 first; the first is
    // cut to 0.5 W and its 0.25 W goes to the others by weight (1:2)
    assert.deepEqual(waterFill([{ roomUw: 500_000, weight: 1 }, { roomUw: 2_000_000, weight: 1 }, { roomUw: 2_000_000, weight: 2 }], 3_000_000),
      [500_000, 833_333, 1_666_666]);
    // everyone full: the pool is not spent
    assert.deepEqual(waterFill([{ roomUw: 100, weight: 1 }, { roomUw: 200, weight: 3 }], 1000), [100, 200]);
    assert.deepEqual(waterFill([{ roomUw: 100, weight: 1 }], 0), [0]);
  });

  test('a slack zone wants its draw plus 10 %, at least 2 % of its maximum', () => {
    assert.equal(slackWant(zone(A53, 200_000, 220_000), DEFAULT_ALLOC_PARAMS), 220_000); // 200 mW + 20 mW (2 % of max is 14.3 mW)
    assert.equal(slackWant(zone(A72, 400_000, 445_205), DEFAULT_ALLOC_PARAMS), 445_205); // 400 mW + 45.2 mW (2 % of 2.26 W)
    assert.equal(slackWant(zone(GPU, 0, 2_555_520), DEFAULT_ALLOC_PARAMS), 359_370); // never below its minimum
  });

  test('rk3399 under 2.5 W, the GPU busy: the clusters keep their draw plus margin, the GPU takes the rest', () => {
    const a = allocate([zone(A53, 200_000, 607_335), zone(A72, 400_000, 1_078_291), zone(GPU, 814_373, 814_373)], 2_500_000);
    assert.deepEqual(a.zones.map((z) => [z.state, z.targetUw]), [['slack', 220_000], ['slack', 445_205], ['saturated', 1_834_795]]);
    // 2 500 000 − 220 000 − 445 205 = 1 834 795: the whole budget, lowered limits first
    assert.equal(a.sumLimitsUw, 2_500_000);
    assert.deepEqual(a.writes.map((w) => [w.id, w.toUw, w.lower]), [['dtpm:0:0:1', 445_205, true], ['dtpm:0:0:0', 220_000, true], ['dtpm:0:0:2', 1_834_795, false]]);
    // the kernel's static split of 2.5 W gives the GPU 1.155 W (weight 473/1024) whatever it draws
  });

  test('a steady load writes nothing; a change below 2 % of the zone\'s maximum is held', () => {
    const first = allocate([zone(A53, 200_000, 607_335), zone(A72, 400_000, 1_078_291), zone(GPU, 814_373, 814_373)], 2_500_000);
    const limits = first.zones.map((z) => z.limitUw);
    const again = allocate([zone(A53, 200_000, limits[0]!), zone(A72, 400_000, limits[1]!), zone(GPU, 1_834_795, limits[2]!)], 2_500_000);
    assert.deepEqual(again.writes, []);
    // the A72 draws 20 mW more (its target moves by 22 mW, under 45.2 mW): held, and the GPU's
    // share moves by as much: held too
    const noisy = allocate([zone(A53, 200_000, limits[0]!), zone(A72, 420_000, limits[1]!), zone(GPU, 1_834_795, limits[2]!)], 2_500_000);
    assert.deepEqual(noisy.writes, []);
    assert.ok(noisy.zones.every((z) => z.limitUw === limits[noisy.zones.indexOf(z)]));
    assert.equal(noisy.sumLimitsUw, 2_500_000);
  });

  test('a cut below the threshold is still made when the budget needs it', () => {
    // A53 and GPU saturated, weights 1 and 7: of the 1.787404 W above the minimums the A53 gets
    // 223.425 mW (334.501 mW: +34.5 mW, written) and the GPU 1.563978 W (1.923348 W: −36.7 mW,
    // under its 51.1 mW threshold); holding the GPU would take the sum to 2.536651 W
    const a = allocate([zone(A53, 300_000, 300_000), zone(A72, 100_000, 242_150), zone(GPU, 1_960_000, 1_960_000, 7)], 2_500_000);
    assert.deepEqual(a.zones.map((z) => [z.targetUw, z.limitUw, z.forced]), [[334_501, 334_501, false], [242_150, 242_150, false], [1_923_348, 1_923_348, true]]);
    assert.deepEqual(a.writes.map((w) => [w.id, w.lower]), [[GPU.id, true], [A53.id, false]]);
    assert.equal(a.sumLimitsUw, 2_499_999);
  });

  test('a slack zone\'s limit that gives between one and two margins is kept; its own noise widens its margin', () => {
    // 100 mW drawn under 125 mW: the want is 114.337 mW, but 125 mW ≤ 100 + 2 × 14.337 mW is kept
    assert.equal(slackWant(zone(A53, 100_000, 125_000), DEFAULT_ALLOC_PARAMS), 125_000);
    assert.equal(slackWant(zone(A53, 100_000, 130_000), DEFAULT_ALLOC_PARAMS), 114_337);
    // a draw that moves by 20 mW a period: margin 3 × 20 mW
    assert.equal(slackWant({ ...zone(A53, 300_000, 300_000), jitterUw: 20_000 }, DEFAULT_ALLOC_PARAMS), 360_000);
  });

  test('RAPL limits in 1/8 W steps; a budget below the total minimum is split as that minimum', () => {
    const s0 = { id: 'intel-rapl:0', minUw: 0, maxUw: 205_000_000, quantumUw: 125_000 };
    const s1 = { id: 'intel-rapl:1', minUw: 0, maxUw: 205_000_000, quantumUw: 125_000 };
    const a = allocate([{ ...s0, powerUw: 60_000_000, limitUw: 125_000_000, weight: 1 }, { ...s1, powerUw: 125_000_000, limitUw: 125_000_000, weight: 1 }], 250_000_000);
    // socket 0: 60 W + 6 W; socket 1: the rest, 184 W
    assert.deepEqual(a.zones.map((z) => z.targetUw), [66_000_000, 184_000_000]);
    assert.ok(a.zones.every((z) => z.targetUw % 125_000 === 0));
    const odd = allocate([{ ...s0, powerUw: 60_100_000, limitUw: 125_000_000, weight: 1 }, { ...s1, powerUw: null, limitUw: 125_000_000, weight: 1 }], 250_000_000);
    // 60.1 W + 6.01 W = 66.11 W and the rest, 183.89 W, each rounded down to 1/8 W
    assert.deepEqual(odd.zones.map((z) => z.targetUw), [66_000_000, 183_875_000]);
    assert.equal(minimumBudgetUw([A53, A72, GPU]), 712_596);
    const below = allocate([zone(A53, 0, 716_848), zone(A72, 0, 2_260_224), zone(GPU, 0, 2_555_520)], 500_000);
    assert.equal(below.budgetUw, 712_596);
    assert.deepEqual(below.zones.map((z) => z.targetUw), [111_076, 242_150, 359_370]);
    const err = budgetBelowMinimum(500_000, 712_596, formatPower);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /500 mW is below the zones' total minimum 712\.596 mW/);
    assert.doesNotMatch(err.message + err.hint, /--/);
  });

  test('DTPM leaves with an energy model: targets on the states the kernel stores, the remainder handed back a state at a time', () => {
    // each state's power × CPUs (examples/rk3399-dtpm.json's energy model)
    const L53 = [111_076, 163_348, 235_824, 344_988, 480_000, 716_848];
    const L72 = [242_150, 356_102, 484_300, 672_966, 944_376, 1_297_260, 1_696_632, 2_260_224];
    const LGPU = [359_370, 533_664, 718_740, 1_010_625, 1_355_310, 2_555_520];
    const a = allocate([
      { ...zone(A53, 200_000, 480_000), levelsUw: L53 }, { ...zone(A72, 400_000, 1_297_260), levelsUw: L72 }, { ...zone(GPU, 718_740, 718_740), levelsUw: LGPU },
    ], 2_500_000);
    // wants: 220 mW → the 235.824 mW state, 445.205 mW → 484.3 mW; the GPU's 1.779876 W → 1.35531 W;
    // the 424.566 mW left: +109.164 mW lifts the A53 a state, then +188.666 mW the A72; 126.736 mW lifts nobody
    assert.deepEqual(a.zones.map((z) => z.targetUw), [344_988, 672_966, 1_355_310]);
    assert.equal(a.sumLimitsUw, 2_373_264);
    // the next period, the same draws: the same states, nothing written
    const again = allocate([
      { ...zone(A53, 200_000, 344_988), levelsUw: L53 }, { ...zone(A72, 400_000, 672_966), levelsUw: L72 }, { ...zone(GPU, 1_355_310, 1_355_310), levelsUw: LGPU },
    ], 2_500_000);
    assert.deepEqual(again.writes, []);
  });

  test('a budget on the power drawn (govern): a slack zone\'s margin comes on top of it', () => {
    const zs = [zone(A53, 200_000, 220_000), zone(A72, 400_000, 445_205), zone(GPU, 1_500_000, 1_500_000)];
    const draw = allocate(zs, 2_000_000, DEFAULT_ALLOC_PARAMS, 'draw');
    // the GPU gets 2 W − 200 mW − 400 mW = 1.4 W; the clusters their draw plus margin besides
    assert.deepEqual(draw.zones.map((z) => z.targetUw), [220_000, 445_205, 1_400_000]);
    assert.equal(draw.sumLimitsUw, 2_065_205);
    const limits = allocate(zs, 2_000_000);
    assert.deepEqual(limits.zones.map((z) => z.targetUw), [220_000, 445_205, 1_334_795]);
  });

  test('after every prefix of the writes the limits add up to at most the budget (10 000 random cases, RAPL steps and DTPM states among them)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let checked = 0;
    for (let c = 0; c < 10_000; c++) {
      const n = 1 + Math.floor(rnd() * 8);
      const zs: AllocZone[] = [];
      for (let i = 0; i < n; i++) {
        const maxUw = 100_000 + Math.floor(rnd() * 5_000_000);
        const minUw = Math.floor(rnd() * maxUw * 0.3);
        const z: AllocZone = { id: `z${i}`, minUw, maxUw, powerUw: rnd() < 0.1 ? null : Math.floor(rnd() * maxUw), limitUw: minUw + Math.floor(rnd() * (maxUw - minUw)), weight: 1 + Math.floor(rnd() * 3), quantumUw: rnd() < 0.3 ? 125_000 : 0 };
        // a third of the zones have states (an energy model): min, a few in between, max
        if (rnd() < 0.3) z.levelsUw = [minUw, ...Array.from({ length: 4 }, () => minUw + Math.floor(rnd() * (maxUw - minUw))).sort((a, b) => a - b), maxUw];
        zs.push(z);
      }
      const sumIn = zs.reduce((s, z) => s + z.limitUw, 0);
      const minimum = minimumBudgetUw(zs);
      const budget = minimum + Math.floor(rnd() * (zs.reduce((s, z) => s + z.maxUw, 0) - minimum + 1));
      const a = allocate(zs, budget);
      assert.ok(new Set(a.writes.map((w) => w.id)).size === a.writes.length, 'one write per zone');
      const lim = new Map(zs.map((z) => [z.id, z.limitUw]));
      let sum = sumIn;
      let lowered = true;
      for (const w of a.writes) {
        if (!w.lower) lowered = false;
        else assert.ok(lowered, 'lowered writes come first');
        sum += w.toUw - lim.get(w.id)!;
        lim.set(w.id, w.toUw);
        if (sumIn <= budget) assert.ok(sum <= budget, `case ${c}: prefix sum ${sum} > budget ${budget}`);
        else if (!w.lower) assert.ok(sum <= budget, `case ${c}: a raise above the budget`);
        checked++;
      }
      assert.ok(sum <= budget, `case ${c}: final sum ${sum} > ${budget}`);
      assert.equal(sum, a.sumLimitsUw);
      assert.ok(a.zones.every((z, i) => z.limitUw >= zs[i]!.minUw || z.limitUw === zs[i]!.limitUw));
      assert.ok(a.zones.every((z, i) => z.targetUw <= zs[i]!.maxUw));
    }
    assert.ok(checked > 10_000);
  });

  test('planWrites: unchanged zones dropped, the largest cut first, raises last', () => {
    assert.deepEqual(planWrites([{ id: 'a', fromUw: 5, toUw: 9 }, { id: 'b', fromUw: 9, toUw: 8 }, { id: 'c', fromUw: 9, toUw: 2 }, { id: 'd', fromUw: 3, toUw: 3 }]).map((w) => w.id), ['c', 'b', 'a']);
  });
});

// ---------------------------------------------------------------- the controller on an in-memory tree

/** rk3399's three leaves (declared), limits as after boot (each leaf at its maximum); writes stored as sent. */
function rk3399Tree(opts: { onWrite?: (rel: string, text: string, store: () => void) => void } = {}): TreeSource {
  const root: DirNode = declaredTree([
    { id: A53.id, name: 'cpu0-cpufreq', minUw: A53.minUw, maxUw: A53.maxUw, limitUw: null, line: 1 },
    { id: A72.id, name: 'cpu4-cpufreq', minUw: A72.minUw, maxUw: A72.maxUw, limitUw: null, line: 1 },
    { id: GPU.id, name: 'ff9a0000.gpu', minUw: GPU.minUw, maxUw: GPU.maxUw, limitUw: null, line: 1 },
  ]);
  return new TreeSource(root, { kind: 'snapshot', file: 'rk3399' }, (tree, rel, text) => {
    const store = () => tree.setText(rel, text.endsWith('\n') ? text : `${text}\n`);
    if (opts.onWrite) opts.onWrite(rel, text, store);
    else store();
  });
}

const leafPath = (id: string) => `dtpm/dtpm:0/dtpm:0:0/${id}`;
const setPower = (src: TreeSource, id: string, uw: number) => src.setText(`${leafPath(id)}/power_uw`, `${uw}\n`);
const limitOf = (src: TreeSource, id: string) => Number((src.read(`${leafPath(id)}/constraint_0_power_limit_uw`) as { text: string }).text);

function controllerOn(src: TreeSource, budgetUw = 2_500_000) {
  const tree = readPowercapTree(src);
  const zones = planBalanceZones(tree, [A53.id, A72.id, GPU.id].map((id) => tree.byId.get(id)!));
  return new BalanceController({ source: src, zones, budget: fixedBudget(budgetUw) });
}

/** The GPU busy (2 W), the clusters light (200 and 400 mW): a controller on them, period 0 taken. */
function afterFirstPeriod(opts: Parameters<typeof rk3399Tree>[0] = {}) {
  const src = rk3399Tree(opts);
  setPower(src, A53.id, 200_000); setPower(src, A72.id, 400_000); setPower(src, GPU.id, 2_000_000);
  const c = controllerOn(src);
  const first = c.step(0, c.readPowers(), 0);
  return { src, c, first };
}

describe('controller', () => {
  test('period 0 takes the limits under the budget at once; steady demand then writes nothing', () => {
    const src = rk3399Tree();
    setPower(src, A53.id, 200_000); setPower(src, A72.id, 400_000); setPower(src, GPU.id, 2_000_000);
    const c = controllerOn(src);
    const r0 = c.step(0, c.readPowers(), 0);
    assert.equal(r0.period, 0);
    assert.equal(r0.reason, 'initial');
    // after boot the leaves sit at their maximum (5.53 W): all three are lowered, the GPU least
    assert.deepEqual(r0.zones.map((z) => z.state), ['slack', 'slack', 'slack']);
    assert.ok(r0.writes.every((w) => w.lower));
    assert.ok(r0.sumLimitsUw <= 2_500_000);
    setPower(src, GPU.id, limitOf(src, GPU.id)); // the GPU now runs into its limit
    const r1 = c.step(200_000, c.readPowers(), 200);
    assert.equal(r1.zones[2]!.state, 'saturated');
    assert.equal(limitOf(src, GPU.id), 2_500_000 - 220_000 - 445_205);
    setPower(src, GPU.id, 1_834_795);
    const r2 = c.step(400_000, c.readPowers(), 400);
    assert.equal(r2.reason, 'steady');
    assert.deepEqual(r2.writes, []);
    const report = balanceReport(r2);
    assert.equal(report.format, 'powercapctl-balance-report');
    assert.equal(report.time, '1970-01-01T00:00:00.400Z');
    assert.equal(report.budgetUw, 2_500_000);
    assert.equal(report.totalPowerUw, 2_434_795);
    assert.deepEqual(report.zones.map((z) => [z.id, z.limitUw, z.state]), [[A53.id, 220_000, 'slack'], [A72.id, 445_205, 'slack'], [GPU.id, 1_834_795, 'saturated']]);
  });

  test('a limit changed by another program: said, the zone released, the others share what is left, and it is not restored', () => {
    const { src, c } = afterFirstPeriod();
    src.setText(`${leafPath(A72.id)}/constraint_0_power_limit_uw`, '1000000\n'); // thermald, say
    setPower(src, GPU.id, limitOf(src, GPU.id));
    const r = c.step(200_000, c.readPowers(), 200);
    assert.deepEqual(r.events.filter((e) => e.kind === 'external-change'), [{ kind: 'external-change', id: A72.id, expectedUw: 445_205, foundUw: 1_000_000 }]);
    assert.equal(r.zones[1]!.state, 'released');
    assert.ok(r.writes.every((w) => w.id !== A72.id));
    assert.equal(r.budget.availableUw, 1_500_000);
    assert.ok(r.sumLimitsUw <= 2_500_000);
    const stop = c.stop(400_000, 400);
    assert.equal(stop.reason, 'restore');
    assert.equal(limitOf(src, A72.id), 1_000_000);
    assert.equal(limitOf(src, A53.id), A53.maxUw);
    assert.equal(limitOf(src, GPU.id), GPU.maxUw);
    // restored lowered first: nothing is lowered here, all raised back to boot values
    assert.deepEqual(stop.writes.map((w) => w.id).sort(), [A53.id, GPU.id]);
  });

  test('the period after a write, a lower value within the bounds is the kernel settling the request, not another program', () => {
    const { src, c } = afterFirstPeriod();
    // the plant stores the power of the state it chose, 10 mW under the request, after the read-back
    src.setText(`${leafPath(GPU.id)}/constraint_0_power_limit_uw`, `${limitOf(src, GPU.id) - 10_000}\n`);
    const r = c.step(200_000, c.readPowers(), 200);
    assert.equal(r.events.filter((e) => e.kind === 'kernel-settled').length, 1);
    assert.equal(r.zones[2]!.state !== 'released', true);
  });

  test('the limit from before the write back the next period: the write was lost (a file replaced over it), written again', () => {
    const { src, c } = afterFirstPeriod();
    src.setText(`${leafPath(A72.id)}/constraint_0_power_limit_uw`, `${A72.maxUw}\n`); // a plant's stale copy renamed over ours
    const r = c.step(200_000, c.readPowers(), 200);
    assert.deepEqual(r.events.map((e) => e.kind), ['write-lost']);
    assert.equal(r.zones[1]!.state, 'slack');
    assert.deepEqual(r.writes.map((w) => [w.id, w.toUw]), [[A72.id, 445_205]]);
    assert.ok(r.sumLimitsUw <= 2_500_000);
  });

  test('a failed lowered write holds the period\'s raises, so the sum never passes the budget', () => {
    const { first: r } = afterFirstPeriod({
      onWrite: (rel, _text, store) => {
        if (rel.includes(A72.id)) throw new SysfsError('EIO', rel);
        store();
      },
    });
    assert.deepEqual(r.events.map((e) => e.kind), ['write-failed', 'raises-held']);
    assert.equal(r.writes.find((w) => w.id === A72.id)!.errno, 'EIO');
    assert.ok(r.writes.every((w) => w.lower));
  });

  test('RAPL: power from energy_uj through the sampler, across a wrap; 1/8 W limits', () => {
    const root = declaredTree([
      { id: 'intel-rapl:0', name: 'package-0', minUw: null, maxUw: 205_000_000, limitUw: 205_000_000, line: 1 },
      { id: 'intel-rapl:1', name: 'package-1', minUw: null, maxUw: 205_000_000, limitUw: 205_000_000, line: 1 },
    ]);
    const src = new TreeSource(root, { kind: 'snapshot', file: 'xeon' }, (t, rel, text) => t.setText(rel, `${text.trim()}\n`));
    const e0 = 'intel-rapl/intel-rapl:0/energy_uj';
    const e1 = 'intel-rapl/intel-rapl:1/energy_uj';
    src.setText(e0, '262143000000\n'); // 328 850 µJ before the wrap at 262143328850
    src.setText(e1, '1000\n');
    const tree = readPowercapTree(src);
    const zones = planBalanceZones(tree, ['intel-rapl:0', 'intel-rapl:1'].map((id) => tree.byId.get(id)!));
    assert.deepEqual(zones.map((z) => [z.reading.attr, z.quantumUw, z.minUw, z.maxUw]), [['energy_uj', 125_000, 0, 205_000_000], ['energy_uj', 125_000, 0, 205_000_000]]);
    const c = new BalanceController({ source: src, zones, budget: fixedBudget(250_000_000) });
    const r0 = c.step(0, readPass(src, zones.map((z) => z.reading)), 0);
    // no power yet (a counter needs two readings): both unknown, the budget split evenly
    assert.deepEqual(r0.zones.map((z) => [z.state, z.newLimitUw]), [['unknown', 125_000_000], ['unknown', 125_000_000]]);
    // 200 ms: socket 0 used 40 J across the wrap (200 W), socket 1 12 J (60 W)
    src.setText(e0, `${40_000_000 - 328_850}\n`);
    src.setText(e1, `${1000 + 12_000_000}\n`);
    const r1 = c.step(200_000, c.readPowers(), 200);
    assert.deepEqual(r1.zones.map((z) => z.powerUw), [200_000_000, 60_000_000]);
    assert.deepEqual(r1.zones.map((z) => [z.state, z.newLimitUw]), [['saturated', 184_000_000], ['slack', 66_000_000]]);
  });
});

describe('zones balance can manage', () => {
  const tree = readPowercapTree(rk3399Tree());
  const code = (f: () => unknown, exit: number, msg: RegExp) => assert.throws(f, (e: unknown) => e instanceof PowercapError && e.exitCode === exit && msg.test(e.message + ' ' + (e.hint ?? '')));
  test('a DTPM parent is refused, naming its leaves; a zone named twice is refused', () => {
    code(() => planBalanceZones(tree, [tree.byId.get('dtpm:0:0')!]), 2, /DTPM node with children.*dtpm:0:0:0 dtpm:0:0:1 dtpm:0:0:2/);
    code(() => planBalanceZones(tree, [tree.byId.get(A53.id)!, tree.byId.get(A53.id)!]), 2, /named twice/);
    assert.deepEqual(dtpmLeavesUnder(tree.byId.get('dtpm:0')!).map((z) => z.id), [A53.id, A72.id, GPU.id]);
  });
  test('an energy counter only root may read: exit 4; a zone without power or limit: exit 2', () => {
    const root = declaredTree([{ id: 'intel-rapl:0', name: 'package-0', minUw: null, maxUw: 28_000_000, limitUw: null, line: 1 }]);
    root.dirs!['intel-rapl']!.dirs!['intel-rapl:0']!.attrs!.energy_uj = { errno: 'EACCES' };
    const t = readPowercapTree(new TreeSource(root, { kind: 'snapshot', file: 'x' }));
    code(() => planBalanceZones(t, [t.byId.get('intel-rapl:0')!]), 4, /readable by root only/);
    delete root.dirs!['intel-rapl']!.dirs!['intel-rapl:0']!.attrs!.energy_uj;
    const t2 = readPowercapTree(new TreeSource(root, { kind: 'snapshot', file: 'x' }));
    code(() => planBalanceZones(t2, [t2.byId.get('intel-rapl:0')!]), 2, /reports no power/);
  });
});

// ---------------------------------------------------------------- the budget file

describe('budget file', () => {
  const ctx = (wallMs: number): BudgetContext => ({ tUs: 0, wallMs, minimumUw: 0, maximumUw: 10_000_000, powerUw: null, saturated: true });
  const until = Date.parse('2026-11-01T13:00:00Z');

  test('followed each period; missing, invalid or lapsed keeps the budget in force; never raised by a stale file', async () => {
    let file: BudgetFileRead = { ok: true, text: 'budget: 2.5W\n' };
    const b = await createFileBudget({ file: 'B.yaml', read: () => file, fallbackUw: null });
    assert.deepEqual(b.next(ctx(0)), { budgetUw: 2_500_000, origin: 'file' });
    file = { ok: true, text: '{"budget": "1.5W", "until": "2026-11-01T13:00:00Z"}' };
    assert.deepEqual(b.next(ctx(until)), { budgetUw: 1_500_000, origin: 'file', until: '2026-11-01T13:00:00Z' });
    // lapsed: the budget in force stays (1.5 W), even though the file still says it
    assert.deepEqual(b.next(ctx(until + 1)), { budgetUw: 1_500_000, origin: 'last-good', problem: { kind: 'lapsed', detail: '2026-11-01T13:00:00Z' } });
    file = { ok: false, errno: 'ENOENT' };
    assert.equal(b.next(ctx(0)).problem?.kind, 'missing');
    file = { ok: true, text: 'budget: 3' };
    const bad = b.next(ctx(0));
    assert.equal(bad.budgetUw, 1_500_000);
    assert.equal(bad.problem?.kind, 'invalid');
    assert.match(bad.problem!.detail!, /B\.yaml: budget: invalid power '3': a unit is required/);
    file = { ok: true, text: 'budget: 3W' };
    assert.equal(b.next(ctx(0)).budgetUw, 3_000_000);
  });

  test('a fallback lower than the budget in force replaces it; with no file at the start, the fallback or exit 3', async () => {
    let file: BudgetFileRead = { ok: false, errno: 'ENOENT' };
    const none = await createFileBudget({ file: 'B.yaml', read: () => file, fallbackUw: null });
    assert.throws(() => none.next(ctx(0)), (e: unknown) => e instanceof PowercapError && e.exitCode === 3 && /budget file not found: B\.yaml/.test(e.message));
    const fb = await createFileBudget({ file: 'B.yaml', read: () => file, fallbackUw: 1_000_000 });
    assert.deepEqual(fb.next(ctx(0)), { budgetUw: 1_000_000, origin: 'fallback', problem: { kind: 'missing', errno: 'ENOENT' } });
    file = { ok: true, text: 'budget: 2W' };
    assert.equal(fb.next(ctx(0)).budgetUw, 2_000_000);
    file = { ok: false, errno: 'EACCES' };
    assert.deepEqual(fb.next(ctx(0)), { budgetUw: 1_000_000, origin: 'fallback', problem: { kind: 'unreadable', errno: 'EACCES' } });
    // a fallback above the budget in force is not taken: a stale file never raises a limit
    file = { ok: true, text: 'budget: 1W' };
    const high = await createFileBudget({ file: 'B.yaml', read: () => file, fallbackUw: 5_000_000 });
    high.next(ctx(0));
    file = { ok: false, errno: 'ENOENT' };
    assert.deepEqual(high.next(ctx(0)), { budgetUw: 1_000_000, origin: 'last-good', problem: { kind: 'missing', errno: 'ENOENT' } });
  });
});
