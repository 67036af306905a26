/**
 * src/core/kernel/power-allocator.ts and cpufreq-cooling.ts held against
 * drivers/thermal/gov_power_allocator.c (allocate_power, divvy_up_power) and
 * drivers/thermal/cpufreq_cooling.c (get_dynamic_power, cpu_freq_to_power), v6.1 and v6.12
 * (the arithmetic is the same in both). Every expected number is worked out in the comment above it.
 * The actors are rk3399's three (A53 ×4, A72 ×2, GPU) with their maxima rounded to mW:
 * 716848 µW → 716 mW, 2260224 → 2260, 2555520 → 2555 (cooling devices report mW).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { divvyUpPower, effectiveWeights, type Actor } from '../src/core/kernel/power-allocator.js';
import { dynamicPower } from '../src/core/kernel/cpufreq-cooling.js';
import { PowercapError } from '../src/core/errors.js';

const mw = (x: number) => x * 1000;
const actors = (req: number[], weights: Array<number | null>): Actor[] => [
  { name: 'cpu0', requestUw: mw(req[0]!), maxUw: 716848, weight: weights[0]! },
  { name: 'cpu4', requestUw: mw(req[1]!), maxUw: 2260224, weight: weights[1]! },
  { name: 'gpu', requestUw: mw(req[2]!), maxUw: 2555520, weight: weights[2]! },
];
const granted = (g: ReturnType<typeof divvyUpPower>) => g.map((x) => x.grantedMw);

describe('gov_power_allocator.c allocate_power() + divvy_up_power(): a budget among actors', () => {
  test('no weight set: every weight is 1 << FRAC_BITS; granted = DIV_ROUND_CLOSEST_ULL(weighted × range, Σweighted)', () => {
    // params->total_weight 0 → weight = 1024 for all; weighted = (1024 × req) >> 10 = req: 500, 1500, 2000; Σ 4000
    // range 3000 mW, Σ/2 = 2000:
    //   cpu0: 500 × 3000 = 1500000; + 2000 = 1502000; / 4000 = 375 (375.5)
    //   cpu4: 1500 × 3000 = 4500000; + 2000; / 4000 = 1125 (1125.5)
    //   gpu:  2000 × 3000 = 6000000; + 2000; / 4000 = 1500 (1500.5)
    // none above its max: no pool. The three sum to the 3000 budget.
    const g = divvyUpPower(actors([500, 1500, 2000], [null, null, null]), mw(3000));
    assert.deepEqual(effectiveWeights(actors([500, 1500, 2000], [null, null, null])), [1024, 1024, 1024]);
    // weights given but all 0: params->total_weight is still 0 → 1024 for all, not 0 for all
    assert.deepEqual(effectiveWeights(actors([500, 1500, 2000], [0, 0, 0])), [1024, 1024, 1024]);
    assert.deepEqual(g.map((x) => [x.weight, x.weightedMw, x.grantedMw, x.capped, x.extraMw]), [[1024, 500, 375, false, 0], [1024, 1500, 1125, false, 0], [1024, 2000, 1500, false, 0]]);
    assert.equal(g[1]!.grantedUw, 1125000);
  });

  test('weights set: an unset weight is THERMAL_WEIGHT_DEFAULT (0); a grant above max is cut and the excess shared by headroom', () => {
    // weights 512, unset → 0, 1024: weighted = (512 × 500) >> 10 = 250, 0, (1024 × 2000) >> 10 = 2000; Σ 2250, Σ/2 1125
    //   cpu0: 250 × 3000 = 750000; + 1125 = 751125; / 2250 = 333 (333.8)
    //   cpu4: 0 × 3000 = 0; + 1125; / 2250 = 0
    //   gpu:  2000 × 3000 = 6000000; + 1125 = 6001125; / 2250 = 2667 (2667.2) > max 2555 → 2555, extra_power 112
    const g = divvyUpPower(actors([500, 1500, 2000], [512, null, 1024]), mw(3000));
    assert.deepEqual(g.map((x) => x.weight), [512, 0, 1024]);
    assert.deepEqual(g.map((x) => x.weightedMw), [250, 0, 2000]);
    assert.deepEqual(g.map((x) => x.capped), [false, false, true]);
    //   headroom (extra_actor_power) = max − granted: 716 − 333 = 383, 2260 − 0 = 2260, 0 → capped_extra_power 2643; extra_power = min(112, 2643) = 112; Σ/2 1321
    //   cpu0: 383 × 112 = 42896; + 1321 = 44217; / 2643 = 16 (16.7)
    //   cpu4: 2260 × 112 = 253120; + 1321 = 254441; / 2643 = 96 (96.3)
    //   gpu:  0
    // final: 333 + 16 = 349, 0 + 96 = 96 (an actor with weight 0 still gets a share of the pool), 2555
    assert.deepEqual(g.map((x) => x.extraMw), [16, 96, 0]);
    assert.deepEqual(granted(g), [349, 96, 2555]);
  });

  test('Σweighted == 0 (no actor asks for power): the total is made 1 and every actor is granted 0, whatever the budget', () => {
    // weighted 0, 0, 0 → total_req_power 0 → 1; granted = (0 × 3000 + 0) / 1 = 0 each; extra_power 0 → no pool
    assert.deepEqual(granted(divvyUpPower(actors([0, 0, 0], [null, null, null]), mw(3000))), [0, 0, 0]);
    // weights set only on an actor that asks for nothing: Σweighted = (1024 × 0) >> 10 = 0 again → all 0
    assert.deepEqual(granted(divvyUpPower(actors([0, 1500, 2000], [1024, null, null]), mw(3000))), [0, 0, 0]);
  });

  test('one weighted actor capped: the pool goes to the weight-0 actors by headroom', () => {
    // weights unset, 1024, unset → 0, 1024, 0; weighted 0, 1500, 0; Σ 1500, Σ/2 750
    //   cpu4: 1500 × 3000 = 4500000; + 750; / 1500 = 3000 > max 2260 → 2260, extra 740
    //   headrooms: 716 − 0 = 716, 0, 2555 − 0 = 2555 → 3271; pool min(740, 3271) = 740; Σ/2 1635
    //   cpu0: 716 × 740 = 529840; + 1635 = 531475; / 3271 = 162 (162.5)
    //   gpu:  2555 × 740 = 1890700; + 1635 = 1892335; / 3271 = 578 (578.5)
    assert.deepEqual(granted(divvyUpPower(actors([500, 1500, 2000], [null, 1024, null]), mw(3000))), [162, 2260, 578]);
  });

  test('u32 arithmetic: weight × req wraps at 2^32, and µW in are truncated to mW', () => {
    // req 5000000 mW (5 kW) and 1000 mW, weights unset (1024): 1024 × 5000000 = 5120000000 ≥ 2^32 (4294967296)
    //   → 5120000000 − 4294967296 = 825032704; >> 10 = 805696 (not 5000000); the other: 1000; Σ 806696, Σ/2 403348
    //   big:   805696 × 3000000 = 2417088000000; + 403348 = 2417088403348; / 806696 = 2996281
    //   small: 1000 × 3000000 = 3000000000; + 403348 = 3000403348; / 806696 = 3719 > max 2000 → 2000, extra 1719
    //   headroom 6000000 − 2996281 = 3003719 and 0; pool 1719: 3003719 × 1719 / 3003719 = 1719 → 2998000
    // Without the wrap the small actor would get 3000000 × 1000 / 5001000 = 600 mW; the wrap gives it 2000.
    const g = divvyUpPower([
      { name: 'big', requestUw: mw(5000000), maxUw: mw(6000000), weight: null },
      { name: 'small', requestUw: mw(1000), maxUw: mw(2000), weight: null },
    ], mw(3000000));
    assert.deepEqual(g.map((x) => [x.weightedMw, x.grantedMw]), [[805696, 2998000], [1000, 2000]]);
    // 500999 µW asks for 500 mW, 716848 µW of max is 716 mW, a budget of 400999 µW is 400 mW:
    //   weighted 500; (500 × 400 + 250) / 500 = 200250 / 500 = 400 → 400000 µW back
    const t = divvyUpPower([{ name: 'a', requestUw: 500999, maxUw: 716848, weight: null }], 400999);
    assert.deepEqual([t[0]!.requestMw, t[0]!.maxMw, t[0]!.grantedMw, t[0]!.grantedUw], [500, 716, 400, 400000]);
  });
});

describe('cpufreq_cooling.c get_dynamic_power(): (raw mW × Σload%) / 100', () => {
  test('the raw power is the energy model\'s µW / 1000 (cpu_freq_to_power), then × the summed load / 100, in u32', () => {
    // A72 at 1800 MHz, 1200 mV, C = 436: 1130112 µW → 1130 mW; loads 60 % + 40 % = 100: (1130 × 100) / 100 = 1130
    let p = dynamicPower(436, 1800000, 1200000, [6000, 4000]);
    assert.deepEqual([p.rawUw, p.rawMw, p.totalLoadPct, p.dynamicMw], [1130112, 1130, 100, 1130]);
    // A53 at 1416 MHz, 1125 mV, C = 100: 179212 µW → 179 mW; loads 100 + 100 + 50 + 0 = 250:
    //   (179 × 250) / 100 = 44750 / 100 = 447. The mW truncation comes first: 179212 × 250 / 100 would be 448030 µW.
    p = dynamicPower(100, 1416000, 1125000, [10000, 10000, 5000, 0]);
    assert.deepEqual([p.rawMw, p.totalLoadPct, p.dynamicMw, p.dynamicUw], [179, 250, 447, 448030]);
  });

  test('a coefficient of 0 or below is a usage error', () => {
    assert.throws(() => dynamicPower(0, 1800000, 1200000, [10000]), (e: unknown) => e instanceof PowercapError && e.exitCode === 2);
  });
});
