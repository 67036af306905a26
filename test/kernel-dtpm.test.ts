/**
 * src/core/kernel/dtpm.ts, dtpm-cpu.ts and dtpm-devfreq.ts held against the C they mirror
 * (drivers/powercap/dtpm.c, dtpm_cpu.c, dtpm_devfreq.c; v6.1 and v6.12 do the same arithmetic).
 * Every expected number is worked out in the comment above it, step by step, from the kernel
 * function named there; the tables are given as plain numbers, not built by the code under test.
 *
 * rk3399 (spec/kernel.md §4), per-CPU power in µW as dev_pm_opp_calc_power() gives it
 * (worked out in test/kernel-em.test.ts, typed in fixtures/rk3399-power.ts):
 *   A53 (cpu0-3, C = 100):  408 → 27769, 600 → 40837, 816 → 58956, 1008 → 86247, 1200 → 120000, 1416 → 179212
 *   A72 (cpu4-5, C = 436):  408 → 121075, 600 → 178051, 816 → 242150, 1008 → 336483, 1200 → 472188,
 *                           1416 → 648630, 1608 → 848316, 1800 → 1130112
 *   GPU (C = 2640):         200 → 359370, 297 → 533664, 400 → 718740, 500 → 1010625, 600 → 1355310, 800 → 2555520
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  addChild, childShare, divRoundClosest, newNode, powerMinFromRange, rebalance, setPowerLimitUw, weightedShare,
  type DtpmKind, type DtpmNode, type LeafTable,
} from '../src/core/kernel/dtpm.js';
import { setPdPowerLimit, updatePdPowerUw } from '../src/core/kernel/dtpm-cpu.js';
import { setDevfreqPowerLimit, updateDevfreqPowerUw } from '../src/core/kernel/dtpm-devfreq.js';
import { RK3399_A53, RK3399_A72, RK3399_GPU } from './fixtures/specs.js';
import { A53_UW, A72_UW, GPU_UW, mhzOf } from './fixtures/rk3399-power.js';

const table = (mhz: number[], uw: number[], nrCpus: number): LeafTable => ({
  nrCpus, states: mhz.map((f, i) => ({ frequencyKhz: f * 1000, powerUw: uw[i]! })),
});
const A53 = (nrCpus = 4) => table(mhzOf(RK3399_A53), A53_UW, nrCpus);
const A72 = (nrCpus = 2) => table(mhzOf(RK3399_A72), A72_UW, nrCpus);
const GPU = () => table(mhzOf(RK3399_GPU), GPU_UW, 1);

/** A virtual parent over leaves, registered and rebalanced as dtpm_register() + dtpm_update_power() leave it. */
function tree(name: string, leaves: Array<[string, DtpmKind, LeafTable]>): DtpmNode {
  const root = newNode(name, 'virtual');
  for (const [n, kind, t] of leaves) addChild(root, newNode(n, kind, t));
  rebalance(root);
  return root;
}
const rk3399 = () => tree('package', [['cpu0-cpufreq', 'cpu', A53()], ['cpu4-cpufreq', 'cpu', A72()], ['ff9a0000.gpu', 'devfreq', GPU()]]);
const leafOf = (root: DtpmNode, name: string) => root.children.find((c) => c.name === name)!;
/** what each step stored, by node name */
const applied = (steps: ReturnType<typeof setPowerLimitUw>) => Object.fromEntries(steps.map((s) => [s.node.name, s.appliedUw]));

describe('dtpm_cpu.c / dtpm_devfreq.c update_pd_power_uw(): a leaf\'s bounds', () => {
  test('CPU leaf: table[0].power × nr_cpus and table[last].power × nr_cpus, nr_cpus = the online CPUs of the domain', () => {
    // dtpm_cpu.c update_pd_power_uw(), nr_cpus = cpumask_weight_and(cpu_online_mask, pd->cpus):
    //   A53, 4 online: min = 27769 × 4 = 111076, max = 179212 × 4 = 716848
    //   A72, 2 online: min = 121075 × 2 = 242150, max = 1130112 × 2 = 2260224
    //   A53, 3 online (one unplugged): min = 27769 × 3 = 83307, max = 179212 × 3 = 537636
    assert.deepEqual(updatePdPowerUw(A53()), { minUw: 111076, maxUw: 716848 });
    assert.deepEqual(updatePdPowerUw(A72()), { minUw: 242150, maxUw: 2260224 });
    assert.deepEqual(updatePdPowerUw(A53(3)), { minUw: 83307, maxUw: 537636 });
  });

  test('devfreq leaf: table[0].power and table[last].power, no CPU count whatever the table says', () => {
    // dtpm_devfreq.c update_pd_power_uw(): power_min = table[0].power = 359370, power_max = table[5].power = 2555520.
    // The driver has no nr_cpus: a table carrying nrCpus 4 gives the same bounds.
    assert.deepEqual(updateDevfreqPowerUw(GPU()), { minUw: 359370, maxUw: 2555520 });
    assert.deepEqual(updateDevfreqPowerUw({ ...GPU(), nrCpus: 4 }), { minUw: 359370, maxUw: 2555520 });
  });

  test('dtpm_register(): a new leaf takes its max as its limit; a virtual node starts at 0 and sums its children', () => {
    // dtpm_register(): update_power_uw(), __dtpm_add_power() (adds the leaf's limit while it is still 0),
    // then dtpm->power_limit = power_max. So the leaves read their max and the package reads 0;
    // the package's bounds are the sums: min 111076 + 242150 + 359370 = 712596,
    // max 716848 + 2260224 + 2555520 = 5532592.
    const root = rk3399();
    assert.equal(leafOf(root, 'cpu4-cpufreq').powerLimitUw, 2260224);
    assert.equal(root.powerLimitUw, 0);
    assert.equal(root.powerMinUw, 712596);
    assert.equal(root.powerMaxUw, 5532592);
    // dtpm.c get_max_power_range_uw() reports max − min = 4819996: sysfs has no min, so min = max − range
    assert.equal(powerMinFromRange(5532592, 4819996), 712596);
    assert.equal(powerMinFromRange(5532592n, 4819996n), 712596n);
  });
});

describe('dtpm_cpu.c / dtpm_devfreq.c set_pd_power_limit(): the state a limit lands on', () => {
  test('walk up, stop at the first state whose power × nr_cpus exceeds the limit, keep the one before', () => {
    // dtpm_cpu.c set_pd_power_limit(), A53 × 4: the states × 4 are
    //   111076, 163348, 235824, 344988, 480000, 716848
    // limit 400000: 344988 ≤ 400000, 480000 > 400000 → break at i = 4 → table[3]: 1008000 kHz, 344988 µW
    let c = setPdPowerLimit(A53(), 400000);
    assert.deepEqual(c, { index: 3, frequencyKhz: 1008000, appliedUw: 344988, belowMin: false });
    // limit exactly 480000: the test is `power > power_limit`, so equal fits → table[4], 480000
    c = setPdPowerLimit(A53(), 480000);
    assert.equal(c.index, 4);
    assert.equal(c.appliedUw, 480000);
    // limit 479999: 480000 > 479999 → table[3] again
    assert.equal(setPdPowerLimit(A53(), 479999).index, 3);
    // above every state: the loop ends with i = nr_perf_states → table[5], 716848
    c = setPdPowerLimit(A53(), 10_000_000);
    assert.deepEqual(c, { index: 5, frequencyKhz: 1416000, appliedUw: 716848, belowMin: false });
  });

  test('below the lowest state the kernel reads table[-1]: flagged, the lowest state returned', () => {
    // limit 100000 < 111076: the loop breaks at i = 0 and the C reads table[i - 1] = table[-1]
    // (out of bounds). The emulation returns state 0 and says belowMin.
    assert.deepEqual(setPdPowerLimit(A53(), 100000), { index: 0, frequencyKhz: 408000, appliedUw: 111076, belowMin: true });
    assert.equal(setDevfreqPowerLimit(GPU(), 359369).belowMin, true);
    assert.equal(setDevfreqPowerLimit(GPU(), 359370).belowMin, false);
  });

  test('a leaf whose power is not monotonic: the walk stops at the first state above the limit', () => {
    // powers 10000, 30000, 20000, 40000 (one CPU), limit 25000:
    //   i = 0: 10000 ≤ 25000; i = 1: 30000 > 25000 → break → table[0], 10000 µW at 100 MHz.
    // State 2 (20000 µW) also fits, but the kernel never looks past the first state above the limit.
    const t = table([100, 200, 300, 400], [10000, 30000, 20000, 40000], 1);
    assert.deepEqual(setPdPowerLimit(t, 25000), { index: 0, frequencyKhz: 100000, appliedUw: 10000, belowMin: false });
    // and the bounds are still table[0] and table[last], not the smallest and largest powers
    assert.deepEqual(updatePdPowerUw(t), { minUw: 10000, maxUw: 40000 });
  });

  test('devfreq: the same walk on the per-device power, no nr_cpus', () => {
    // dtpm_devfreq.c set_pd_power_limit(), GPU, limit 1000000:
    //   359370, 533664, 718740 ≤ 1000000; 1010625 > 1000000 → table[2]: 400000 kHz, 718740 µW
    assert.deepEqual(setDevfreqPowerLimit(GPU(), 1000000), { index: 2, frequencyKhz: 400000, appliedUw: 718740, belowMin: false });
    // a table carrying nrCpus 4 is still walked per device: 718740, not 4 × 718740
    assert.equal(setDevfreqPowerLimit({ ...GPU(), nrCpus: 4 }, 1000000).appliedUw, 718740);
  });
});

describe('dtpm.c __dtpm_rebalance_weight(): each child\'s share of its parent\'s max on the 1024 scale', () => {
  test('rk3399: 133, 418, 473 (sum 1024); the root keeps dtpm_init()\'s 1024', () => {
    // weight = DIV64_U64_ROUND_CLOSEST(child.max × 1024, parent.max) = (child.max × 1024 + parent.max / 2) / parent.max,
    // parent.max = 5532592, parent.max / 2 = 2766296:
    //   A53: 716848 × 1024 = 734052352; + 2766296 = 736818648; / 5532592 = 133 (133.18)
    //   A72: 2260224 × 1024 = 2314469376; + 2766296 = 2317235672; / 5532592 = 418 (418.83)
    //   GPU: 2555520 × 1024 = 2616852480; + 2766296 = 2619618776; / 5532592 = 473 (473.49)
    const root = rk3399();
    assert.deepEqual(root.children.map((c) => c.weight), [133, 418, 473]);
    assert.equal(root.weight, 1024);
  });

  test('rounding: (x + d/2) / d with d/2 truncated; weights can sum to 1023 or 1025', () => {
    // DIV_ROUND_CLOSEST on integers: 512 / 1024 rounds up ((512 + 512) / 1024 = 1), 511 down;
    // an odd divisor halves down: (1 + 3/2) / 3 = (1 + 1) / 3 = 0, (2 + 1) / 3 = 1
    assert.equal(divRoundClosest(512, 1024), 1);
    assert.equal(divRoundClosest(511, 1024), 0);
    assert.equal(divRoundClosest(1, 3), 0);
    assert.equal(divRoundClosest(2, 3), 1);
    // three children of max 1000 µW (parent 3000): (1000 × 1024 + 1500) / 3000 = 1025500 / 3000 = 341 each → Σ 1023
    const three = tree('p', [['a', 'devfreq', table([1, 2], [100, 1000], 1)], ['b', 'devfreq', table([1, 2], [100, 1000], 1)], ['c', 'devfreq', table([1, 2], [100, 1000], 1)]]);
    assert.deepEqual(three.children.map((c) => c.weight), [341, 341, 341]);
    // maxes 1000, 1000, 4000 (parent 6000, half 3000):
    //   (1000 × 1024 + 3000) / 6000 = 1027000 / 6000 = 171 (171.17); (4000 × 1024 + 3000) / 6000 = 4099000 / 6000 = 683 (683.17) → Σ 1025
    const skew = tree('p', [['a', 'devfreq', table([1, 2], [100, 1000], 1)], ['b', 'devfreq', table([1, 2], [100, 1000], 1)], ['c', 'devfreq', table([1, 2], [100, 4000], 1)]]);
    assert.deepEqual(skew.children.map((c) => c.weight), [171, 171, 683]);
  });
});

describe('dtpm.c set_power_limit_uw() and __set_power_limit_uw(): splitting a limit', () => {
  test('rk3399 package at 3 W: DIV_ROUND_CLOSEST(L × weight, 1024) per child, each leaf walks its table, the package stores the sum', () => {
    // L = 3000000 is inside [712596, 5532592]: no clamp, neither boundary case.
    //   A53: 3000000 × 133 = 399000000; + 512 = 399000512; / 1024 = 389648 → states × 4: 344988 ≤ 389648 < 480000 → 1008 MHz, 344988
    //   A72: 3000000 × 418 = 1254000000; + 512; / 1024 = 1224609 → states × 2: 944376 ≤ 1224609 < 1297260 → 1200 MHz, 944376
    //   GPU: 3000000 × 473 = 1419000000; + 512; / 1024 = 1385742 → 1355310 ≤ 1385742 < 2555520 → 600 MHz, 1355310
    //   package stores 344988 + 944376 + 1355310 = 2644674 (below the 3000000 written)
    const root = rk3399();
    const steps = setPowerLimitUw(root, 3000000);
    assert.deepEqual(steps.map((s) => [s.node.name, s.requestedUw, s.appliedUw]), [
      ['package', 3000000, 2644674],
      ['cpu0-cpufreq', 389648, 344988],
      ['cpu4-cpufreq', 1224609, 944376],
      ['ff9a0000.gpu', 1385742, 1355310],
    ]);
    assert.deepEqual(steps.slice(1).map((s) => s.choice!.frequencyKhz), [1008000, 1200000, 600000]);
    assert.equal(root.powerLimitUw, 2644674);
    assert.ok(steps.every((s) => s.warning === null));
  });

  test('L == max hands every child its max (no rounding); one µW less goes through the weights and loses an OPP', () => {
    // L = 5532592 == power_max: each child gets child.power_max: 716848, 2260224, 2555520; the package stores 5532592.
    // (Through the weights the A53 would have been (5532592 × 133 + 512) / 1024 = 718589, the A72 2258421: below its max.)
    let steps = setPowerLimitUw(rk3399(), 5532592);
    assert.deepEqual(applied(steps), { package: 5532592, 'cpu0-cpufreq': 716848, 'cpu4-cpufreq': 2260224, 'ff9a0000.gpu': 2555520 });
    // L = 5532591: weighted shares
    //   A53: 5532591 × 133 = 735834603; + 512 = 735835115; / 1024 = 718588 ≥ 716848 → top state, 716848
    //   A72: 5532591 × 418 = 2312623038; + 512 = 2312623550; / 1024 = 2258421 < 2260224 → 1608 MHz: 848316 × 2 = 1696632
    //   GPU: 5532591 × 473 = 2616915543; + 512 = 2616916055; / 1024 = 2555582 ≥ 2555520 → top state, 2555520
    //   package: 716848 + 1696632 + 2555520 = 4969000
    steps = setPowerLimitUw(rk3399(), 5532591);
    assert.deepEqual(applied(steps), { package: 4969000, 'cpu0-cpufreq': 716848, 'cpu4-cpufreq': 1696632, 'ff9a0000.gpu': 2555520 });
  });

  test('L == min hands every child its min; one µW more falls below two children\'s minimums (guarded, with a warning)', () => {
    // L = 712596 == power_min: children get 111076, 242150, 359370; the package stores 712596.
    let steps = setPowerLimitUw(rk3399(), 712596);
    assert.deepEqual(applied(steps), { package: 712596, 'cpu0-cpufreq': 111076, 'cpu4-cpufreq': 242150, 'ff9a0000.gpu': 359370 });
    assert.ok(steps.every((s) => s.warning === null));
    // L = 712597: weighted shares
    //   A53: 712597 × 133 = 94775401; + 512 = 94775913; / 1024 = 92554 < min 111076
    //   A72: 712597 × 418 = 297865546; + 512 = 297866058; / 1024 = 290884 → 242150 ≤ 290884 < 356102 → 408 MHz, 242150
    //   GPU: 712597 × 473 = 337058381; + 512 = 337058893; / 1024 = 329159 < min 359370
    // The kernel passes 92554 and 329159 on unclamped and the leaves read table[-1]; the emulation
    // gives those two their lowest state and says so: 111076 + 242150 + 359370 = 712596 stored.
    steps = setPowerLimitUw(rk3399(), 712597);
    assert.deepEqual(steps.map((s) => [s.node.name, s.requestedUw, s.targetUw, s.appliedUw]), [
      ['package', 712597, 712597, 712596],
      ['cpu0-cpufreq', 92554, 111076, 111076],
      ['cpu4-cpufreq', 290884, 290884, 242150],
      ['ff9a0000.gpu', 329159, 359370, 359370],
    ]);
    assert.match(steps[1]!.warning!, /below its minimum/);
    assert.equal(steps[2]!.warning, null);
    assert.match(steps[3]!.warning!, /below its minimum/);
  });

  test('the written node clamps to [min, max] and so takes the boundary cases; its children are not clamped', () => {
    // set_power_limit_uw(): clamp_val(100 W, 712596, 5532592) = 5532592 == max → every child its max
    let steps = setPowerLimitUw(rk3399(), 100_000_000);
    assert.equal(steps[0]!.targetUw, 5532592);
    assert.equal(steps[0]!.appliedUw, 5532592);
    // clamp_val(0, …) = 712596 == min → every child its min, no warning
    steps = setPowerLimitUw(rk3399(), 0);
    assert.equal(steps[0]!.targetUw, 712596);
    assert.deepEqual(applied(steps), { package: 712596, 'cpu0-cpufreq': 111076, 'cpu4-cpufreq': 242150, 'ff9a0000.gpu': 359370 });
    // childShare() is the unclamped share: 1 W on the package gives the A53 1000000 × 133 = 133000000; + 512 = 133000512; / 1024 = 129883 (129883.3)
    const root = rk3399();
    assert.equal(childShare(root, leafOf(root, 'cpu0-cpufreq'), 1000000), 129883);
    assert.equal(weightedShare(1000000, 133), 129883);
  });

  test('weights summing to 1025 store more than was written; to 1023, far less', () => {
    // weights 171, 171, 683 over leaves [100, 1000], [100, 1000], [100, 4000] (min 300, max 6000); write 5999:
    //   a, b: 5999 × 171 = 1025829; + 512 = 1026341; / 1024 = 1002 ≥ 1000 → top state, 1000
    //   c:    5999 × 683 = 4097317; + 512 = 4097829; / 1024 = 4001 ≥ 4000 → top state, 4000
    //   parent stores 1000 + 1000 + 4000 = 6000: above the 5999 written
    const skew = tree('p', [['a', 'devfreq', table([1, 2], [100, 1000], 1)], ['b', 'devfreq', table([1, 2], [100, 1000], 1)], ['c', 'devfreq', table([1, 2], [100, 4000], 1)]]);
    assert.deepEqual(applied(setPowerLimitUw(skew, 5999)), { p: 6000, a: 1000, b: 1000, c: 4000 });
    // weights 341 × 3 over [100, 1000] × 3 (max 3000); write 2999:
    //   2999 × 341 = 1022659; + 512 = 1023171; / 1024 = 999 < 1000 → each leaf drops to its 100 µW state
    //   parent stores 300 for 2999 written
    const three = tree('p', [['a', 'devfreq', table([1, 2], [100, 1000], 1)], ['b', 'devfreq', table([1, 2], [100, 1000], 1)], ['c', 'devfreq', table([1, 2], [100, 1000], 1)]]);
    assert.deepEqual(applied(setPowerLimitUw(three, 2999)), { p: 300, a: 100, b: 100, c: 100 });
  });

  test('writing a child leaves its ancestors alone', () => {
    // __set_power_limit_uw() recurses down only: writing 1 W on cpu4-cpufreq (A72 × 2: 944376 ≤ 1000000 < 1297260
    // → 1200 MHz, 944376) does not touch the package's stored limit (0 after boot).
    const root = rk3399();
    const steps = setPowerLimitUw(leafOf(root, 'cpu4-cpufreq'), 1000000);
    assert.deepEqual(applied(steps), { 'cpu4-cpufreq': 944376 });
    assert.equal(root.powerLimitUw, 0);
  });
});
