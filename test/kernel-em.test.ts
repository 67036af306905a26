/**
 * src/core/kernel/opp.ts, energy-model.ts and arch-topology.ts held against the C they mirror:
 * drivers/opp/of.c (dev_pm_opp_calc_power in v6.12, _get_power in v6.1), kernel/power/energy_model.c
 * (em_create_perf_table, em_init_performance, em_compute_costs), include/linux/energy_model.h
 * (em_cpu_energy, em_pd_get_efficient_state) and drivers/base/arch_topology.c
 * (topology_normalize_cpu_scale, init_cpu_capacity_callback), v6.1 and v6.12. Every expected
 * number is worked out in the comment above it from the function named there.
 *
 * rk3399 (spec/kernel.md §4): A53 ×4 C = 100, A72 ×2 C = 436, GPU C = 2640.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exampleCopy, run } from './helpers.js';
import { RK3399_A53, RK3399_A72, RK3399_GPU } from './fixtures/specs.js';
import { A53_MW, A53_UW, A72_MW, A72_UW, GPU_MW, GPU_UW, mhzOf } from './fixtures/rk3399-power.js';
import { oppPowerMwPre60, oppPowerUw } from '../src/core/kernel/opp.js';
import {
  buildEraStates, emCpuEnergy, emTableProblem, emTableProblemEra, inefficientStates, performanceOf, PerformanceZeroError, withHeadroom,
  type KernelEra,
} from '../src/core/kernel/energy-model.js';
import { normalizeCpuCapacities } from '../src/core/kernel/arch-topology.js';

const era = (major: number, minor: number, bits32 = false): KernelEra => ({ major, minor, name: `${major}.${minor}`, bits32 });
const rows = (mhz: number[], uw: number[], mw?: number[]) => mhz.map((f, i) => ({ frequencyKhz: f * 1000, powerUw: uw[i]!, powerMw: mw ? mw[i]! : null }));

const uvOf = (d: typeof RK3399_GPU) => d.opps.map((o) => o.voltageUv);
const A53_MHZ = mhzOf(RK3399_A53);
const A53_UV = uvOf(RK3399_A53);
const A72_MHZ = mhzOf(RK3399_A72);
const A72_UV = uvOf(RK3399_A72);
const GPU_MHZ = mhzOf(RK3399_GPU);
const GPU_UV = uvOf(RK3399_GPU);

describe('drivers/opp/of.c dev_pm_opp_calc_power(): the power of one OPP', () => {
  test('rk3399: C × mV × mV × (Hz / 1e6) in u64, / 1e6 → µW', () => {
    // mV = µV / 1000, MHz = Hz / 1000000 (both truncated), tmp = (u64)cap × mV × mV × MHz, do_div(tmp, 1000000):
    //   A53 408 MHz @ 825 mV: 100 × 825 × 825 × 408 = 27769500000 / 1e6 = 27769
    //   A53 1416 @ 1125:      100 × 1265625 × 1416 = 179212500000 → 179212
    //   A72 1800 @ 1200:      436 × 1440000 × 1800 = 1130112000000 → 1130112
    //   A72 1416 @ 1025:      436 × 1050625 × 1416 = 648630660000 → 648630
    //   GPU 297 @ 825:        2640 × 680625 × 297 = 533664450000 → 533664
    //   GPU 800 @ 1100:       2640 × 1210000 × 800 = 2555520000000 → 2555520
    assert.deepEqual(A53_MHZ.map((f, i) => oppPowerUw(100, A53_UV[i]!, f * 1000)), A53_UW);
    assert.deepEqual(A72_MHZ.map((f, i) => oppPowerUw(436, A72_UV[i]!, f * 1000)), A72_UW);
    assert.deepEqual(GPU_MHZ.map((f, i) => oppPowerUw(2640, GPU_UV[i]!, f * 1000)), GPU_UW);
  });

  test('before 6.0 the last division was by 1e9: mW', () => {
    // the same u64 product / 1e9: 27769500000 → 27, 179212500000 → 179, 1130112000000 → 1130, 2555520000000 → 2555
    assert.deepEqual(A53_MHZ.map((f, i) => oppPowerMwPre60(100, A53_UV[i]!, f * 1000)), A53_MW);
    assert.deepEqual(A72_MHZ.map((f, i) => oppPowerMwPre60(436, A72_UV[i]!, f * 1000)), A72_MW);
    assert.deepEqual(GPU_MHZ.map((f, i) => oppPowerMwPre60(2640, GPU_UV[i]!, f * 1000)), GPU_MW);
  });

  test('integer truncation of mV and of MHz, before the product', () => {
    // 1112500 µV → mV = 1112 (not 1112.5), C = 436, 1608 MHz:
    //   1112 × 1112 = 1236544; × 436 = 539133184; × 1608 = 866926159872 → / 1e6 = 866926
    //   (with 1112.5 mV it would be 867705)
    assert.equal(oppPowerUw(436, 1112500, 1608000), 866926);
    // 825999 µV is still 825 mV: the same 27769 as 825000
    assert.equal(oppPowerUw(100, 825999, 408000), 27769);
    // 297600 kHz → Hz 297600000 → MHz 297 (not 297.6): 2640 × 680625 × 297 = 533664450000 → 533664
    assert.equal(oppPowerUw(2640, 825000, 297600), 533664);
  });

  test('the product is u64: a coefficient near the u32 top wraps, as the kernel\'s does', () => {
    // C = 4270079647 (fits the u32 of dynamic-power-coefficient), 1200 mV, 3000 MHz:
    //   1200 × 1200 × 3000 = 4320000000; × 4270079647 = 18446744075040000000
    //   2^64 = 18446744073709551616, so the u64 holds 18446744075040000000 − 2^64 = 1330448384
    //   do_div(tmp, 1000000) → 1330 µW (a state em_create_perf_table() accepts), / 1e9 → 1 mW
    assert.equal(oppPowerUw(4270079647, 1200000, 3000000), 1330);
    assert.equal(oppPowerMwPre60(4270079647, 1200000, 3000000), 1);
  });
});

describe('kernel/power/energy_model.c em_create_perf_table(): what the kernel refuses', () => {
  test('frequencies must increase; power must be above 0 and at most EM_MAX_POWER (64000000 µW)', () => {
    // "EM: non-increasing freq": 816000 after 816000
    assert.match(emTableProblem(rows([408, 816, 816], [1, 2, 3]))!.message, /state 2: frequency 816000 kHz is not above the previous state's 816000 kHz/);
    // "EM: invalid power": !power
    assert.deepEqual(emTableProblem(rows([408, 816], [1, 0]))?.index, 1);
    // power > EM_MAX_POWER: 64000000 passes, 64000001 does not
    assert.equal(emTableProblem(rows([408, 816], [1, 64000000])), null);
    assert.match(emTableProblem(rows([408, 816], [1, 64000001]))!.message, /above the kernel's per-state maximum EM_MAX_POWER \(64000000 µW/);
    assert.match(emTableProblem([])!.message, /no states/);
  });

  test('before 6.0 the ceiling is 0xFFFF mW and a power below 1 mW is 0', () => {
    // energy_model.h before 6.0: EM_MAX_POWER 0xFFFF (mW). 65535 mW passes, 65536 does not.
    assert.equal(emTableProblemEra(rows([408, 816], [1000, 65535000], [1, 65535]), era(5, 19)), null);
    assert.match(emTableProblemEra(rows([408, 816], [1000, 65536000], [1, 65536]), era(5, 19))!.message, /65536 mW is above EM_MAX_POWER \(65535 mW\) of kernel 5\.19/);
    // a row given in µW only: 999 µW is 999 / 1000 = 0 mW → "EM: invalid power" on 5.x, fine on 6.x
    assert.match(emTableProblemEra(rows([408, 816], [999, 5000]), era(5, 19))!.message, /state 0: power 0 mW is not positive/);
    assert.equal(emTableProblemEra(rows([408, 816], [999, 5000]), era(6, 1)), null);
    // 65 W in µW is refused on 6.x (64000000) while 65 W on 5.19 is 65000 mW ≤ 65535: accepted
    assert.ok(emTableProblemEra(rows([408, 816], [1000, 65000000]), era(6, 12)));
    assert.equal(emTableProblemEra(rows([408, 816], [1000, 65000000]), era(5, 19)), null);
  });

  test('registry add --em-table refuses with the same rule, naming the row; the snapshot is left as it was', () => {
    const t = exampleCopy('rk3399-dtpm');
    try {
      const before = fs.readFileSync(t.file);
      const add = (name: string, text: string) => {
        const f = path.join(t.dir, name);
        fs.writeFileSync(f, text);
        return run(['--snapshot', t.file, 'registry', 'add', 'x-devfreq', '--kind', 'devfreq', '--em', 'x', '--em-table', f]);
      };
      // 0 mW in row 2 ("EM: invalid power"), then 65 W > EM_MAX_POWER (64000000 µW) in row 3
      let r = add('zero.csv', 'frequency,power\n408MHz,0mW\n816MHz,200mW\n');
      assert.equal(r.code, 6);
      assert.match(r.stderr, /zero\.csv: row 2: power 0 µW is not positive/);
      r = add('big.csv', 'frequency,power\n408MHz,1W\n816MHz,65W\n');
      assert.equal(r.code, 6);
      assert.match(r.stderr, /big\.csv: row 3: power 65000000 µW is above the kernel's per-state maximum EM_MAX_POWER \(64000000 µW/);
      assert.deepEqual(fs.readFileSync(t.file), before);
    } finally {
      t.cleanup();
    }
  });
});

describe('energy_model.c em_init_performance() and em_compute_costs() by kernel era', () => {
  test('≥ 6.9: performance = capacity × f / fmax; cost = power × 10 / performance; A53 at capacity 381', () => {
    // em_init_performance(): div64_u64(381 × f, 1416000):
    //   381 × 408000 = 155448000 / 1416000 = 109 (109.78); 600 → 161 (161.44); 816 → 219 (219.56);
    //   1008 → 271 (271.22); 1200 → 322 (322.88); 1416 → 381
    assert.equal(performanceOf(381, 408000, 1416000), 109);
    // em_compute_costs(): power × 10 / performance:
    //   277690 / 109 = 2547 (2547.6); 408370 / 161 = 2536 (2536.4); 589560 / 219 = 2692; 862470 / 271 = 3182;
    //   1200000 / 322 = 3726; 1792120 / 381 = 4703
    // inefficiency, from the top down (prev_cost starts at ULONG_MAX): 4703, 3726, 3182, 2692, 2536 each below
    // the one above; 2547 ≥ 2536 → 408 MHz is inefficient.
    const s = buildEraStates(rows(A53_MHZ, A53_UW), { capacity: 381, era: era(6, 12) });
    assert.deepEqual(s.map((x) => x.performance), [109, 161, 219, 271, 322, 381]);
    assert.deepEqual(s.map((x) => x.cost), [2547, 2536, 2692, 3182, 3726, 4703]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, false, false, false, false, false]);
  });

  test('≥ 6.9, A72 at 1024: a cost equal to the lowest above it is inefficient too (the test is >=)', () => {
    // performance = 1024 × f / 1800000: 408 → 232 (232.1), 600 → 341 (341.3), 816 → 464 (464.2), 1008 → 573, 1200 → 682,
    //   1416 → 805, 1608 → 914, 1800 → 1024
    // cost: 1210750 / 232 = 5218 (5218.75); 1780510 / 341 = 5221 (5221.4); 2421500 / 464 = 5218 (5218.75); 5872, 6923, 8057, 9281, 11036
    // top down: … 5872, then 5218 (816 MHz) becomes the lowest; 5221 ≥ 5218 → inefficient; 5218 ≥ 5218 → inefficient
    const s = buildEraStates(rows(A72_MHZ, A72_UW), { capacity: 1024, era: era(6, 12) });
    assert.deepEqual(s.map((x) => x.cost), [5218, 5221, 5218, 5872, 6923, 8057, 9281, 11036]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, true, false, false, false, false, false, false]);
    assert.deepEqual(inefficientStates([5, 4, 4, 6]), [true, true, false, false]);
  });

  test('≥ 6.9, a device: no performance, no cost, no flag (em_init_performance and em_compute_costs return for non-CPU devices)', () => {
    const s = buildEraStates(rows(GPU_MHZ, GPU_UW), { cpu: false, era: era(6, 12) });
    assert.deepEqual(s.map((x) => [x.performance, x.cost, x.inefficient]), GPU_MHZ.map(() => [0, 0, false]));
  });

  test('6.0–6.8: µW, cost = fmax × power / f for every device, the GPU included (em_create_perf_table in v6.1)', () => {
    // v6.1 em_create_perf_table(): cost = div64_u64(fmax × power, freq), for CPUs and devices alike.
    //   A53, fmax 1416000: 1416000 × 27769 = 39320904000 / 408000 = 96374 (96374.8); × 40837 / 600000 = 96375 (96375.3);
    //     102306, 121156, 141600, 179212 → each below the one above: nothing inefficient (6.12 marks 408 MHz)
    let s = buildEraStates(rows(A53_MHZ, A53_UW), { capacity: 381, era: era(6, 1) });
    assert.deepEqual(s.map((x) => x.cost), [96374, 96375, 102306, 121156, 141600, 179212]);
    assert.ok(s.every((x) => !x.inefficient));
    //   A72, fmax 1800000: 534154, 534153, 534154, 600862, 708282, 824529, 949607, 1130112 → 408 MHz (534154 ≥ 534153) inefficient
    s = buildEraStates(rows(A72_MHZ, A72_UW), { capacity: 1024, era: era(6, 1) });
    assert.deepEqual(s.map((x) => x.cost), [534154, 534153, 534154, 600862, 708282, 824529, 949607, 1130112]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, false, false, false, false, false, false, false]);
    //   GPU, fmax 800000: 800000 × 359370 = 287496000000 / 200000 = 1437480; 426931200000 / 297000 = 1437478 (1437478.8);
    //     574992000000 / 400000 = 1437480; 1617000; 1807080; 2555520 → 200 MHz (1437480 ≥ 1437478) inefficient
    s = buildEraStates(rows(GPU_MHZ, GPU_UW), { cpu: false, era: era(6, 1) });
    assert.deepEqual(s.map((x) => x.cost), [1437480, 1437478, 1437480, 1617000, 1807080, 2555520]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, false, false, false, false, false]);
    assert.ok(s.every((x) => x.performance === 0));
  });

  test('5.15–5.19: mW, cost = fmax × (mW × 1000) / f on 64-bit (em_scale_power); flags from 5.16; not scaled on 32-bit or before 5.15', () => {
    // A72 mW 121, 178, 242, 336, 472, 648, 848, 1130; fmax 1800000:
    //   5.19: 1800000 × 121000 = 217800000000 / 408000 = 533823 (533823.5); × 178000 / 600000 = 534000;
    //         × 242000 / 816000 = 533823 (533823.5); 600000, 708000, 823728, 949253, 1130000
    //         top down: 533823 (816) lowest; 534000 ≥ → inefficient; 533823 ≥ 533823 → inefficient
    const a72 = rows(A72_MHZ, A72_UW, A72_MW);
    let s = buildEraStates(a72, { capacity: 1024, era: era(5, 19) });
    assert.deepEqual(s.map((x) => x.cost), [533823, 534000, 533823, 600000, 708000, 823728, 949253, 1130000]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, true, false, false, false, false, false, false]);
    // 5.15: the same costs, no inefficient flag yet
    s = buildEraStates(a72, { capacity: 1024, era: era(5, 15) });
    assert.equal(s[1]!.cost, 534000);
    assert.ok(s.every((x) => !x.inefficient));
    // 5.19 on 32-bit (em_scale_power(p) = p): 1800000 × 121 / 408000 = 533 (533.8), 534, 533, 600, 708, 823, 949, 1130
    s = buildEraStates(a72, { capacity: 1024, era: era(5, 19, true) });
    assert.deepEqual(s.map((x) => x.cost), [533, 534, 533, 600, 708, 823, 949, 1130]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, true, false, false, false, false, false, false]);
    // 5.10: unscaled, no flags
    s = buildEraStates(a72, { capacity: 1024, era: era(5, 10) });
    assert.deepEqual(s.map((x) => x.cost), [533, 534, 533, 600, 708, 823, 949, 1130]);
    assert.ok(s.every((x) => !x.inefficient));
    // the GPU on 5.19: mW 359, 533, 718, 1010, 1355, 2555 × 1000 × 800000 / f:
    //   1436000, 1435690 (426400000000 / 297000 = 1435690.2), 1436000, 1616000, 1806666, 2555000 → 200 MHz inefficient
    s = buildEraStates(rows(GPU_MHZ, GPU_UW, GPU_MW), { cpu: false, era: era(5, 19) });
    assert.deepEqual(s.map((x) => x.cost), [1436000, 1435690, 1436000, 1616000, 1806666, 2555000]);
    assert.deepEqual(s.map((x) => x.inefficient), [true, false, false, false, false, false]);
  });

  test('a CPU performance of 0 is refused from 6.9 (em_compute_costs would divide by it); 6.1 has no such division', () => {
    // capacity 1: performance = 1 × 408000 / 1416000 = 0 for the lowest state
    assert.throws(() => buildEraStates(rows(A53_MHZ, A53_UW), { capacity: 1, era: era(6, 12) }), PerformanceZeroError);
    assert.doesNotThrow(() => buildEraStates(rows(A53_MHZ, A53_UW), { capacity: 1, era: era(6, 1) }));
    // capacity 4: 4 × 408000 / 1416000 = 1 (1.15): accepted
    assert.doesNotThrow(() => buildEraStates(rows(A53_MHZ, A53_UW), { capacity: 4, era: era(6, 12) }));
  });
});

describe('energy_model.h em_cpu_energy(): the state EAS picks and the energy it expects', () => {
  const a53 = () => buildEraStates(rows(A53_MHZ, A53_UW), { capacity: 381, era: era(6, 12) });

  test('≥ 6.9: the first state whose performance meets max_util, skipping inefficient ones; energy = cost × Σutil', () => {
    // utils 80, 40, 0, 0: max_util 80, schedutil's headroom 80 + (80 >> 2) = 100 (clamped to 381: 100);
    // em_pd_get_efficient_state(): performance ≥ 100 first at 408 MHz (109), inefficient → skipped; 600 MHz (161).
    // energy = cost 2536 × Σutil 120 = 304320 (as power: / 10 = 30432 µW)
    const e = emCpuEnergy(a53(), [80, 40, 0, 0], { capacity: 381, cpus: 4 });
    assert.equal(withHeadroom(80), 100);
    assert.equal(e.maxUtilHeadroom, 100);
    assert.deepEqual([e.current.index, e.current.skipped, e.current.cost, e.current.energy, e.current.estimateUw], [1, [0], 2536, 304320, 30432]);
    // without EM_PERF_DOMAIN_SKIP_INEFFICIENCIES: 408 MHz, cost 2547 × 120 = 305640 (more: why it is skipped)
    const all = emCpuEnergy(a53(), [80, 40, 0, 0], { capacity: 381, skipInefficient: false });
    assert.deepEqual([all.current.index, all.current.energy], [0, 305640]);
  });

  test('6.0–6.8: the state by frequency (map_util_freq), energy = cost × Σutil / capacity', () => {
    // v6.1 em_cpu_energy(): freq = map_util_freq(100, 1416000, 381) = 100 × 1416000 / 381 = 371653 (371653.5);
    // first frequency ≥ 371653: 408 MHz (not inefficient on 6.1: cost 96374 < 96375);
    // em_estimate_energy(96374, 120, 381) = 96374 × 120 / 381 = 11564880 / 381 = 30354
    const e = emCpuEnergy(a53(), [80, 40, 0, 0], { capacity: 381 });
    assert.deepEqual([e.pre69.targetFrequencyKhz, e.pre69.index, e.pre69.cost, e.pre69.energy], [371653, 0, 96374, 30354]);
  });

  test('max_util with headroom is clamped to the capacity: the top state', () => {
    // 381 + (381 >> 2) = 381 + 95 = 476 → min(476, 381) = 381 → performance ≥ 381: 1416 MHz; 4703 × 381 = 1791843
    const e = emCpuEnergy(a53(), [381], { capacity: 381 });
    assert.deepEqual([e.maxUtilHeadroom, e.current.index, e.current.energy], [381, 5, 1791843]);
  });
});

describe('drivers/base/arch_topology.c topology_normalize_cpu_scale(): CPU capacity', () => {
  const rk = (m: number | null = 1416000, b: number | null = 1800000) => [
    { dmipsMhz: 485, maxFreqKhz: m }, { dmipsMhz: 485, maxFreqKhz: m }, { dmipsMhz: 485, maxFreqKhz: m }, { dmipsMhz: 485, maxFreqKhz: m },
    { dmipsMhz: 1024, maxFreqKhz: b }, { dmipsMhz: 1024, maxFreqKhz: b },
  ];

  test('rk3399: the A53 → 381, the A72 → 1024, on v6.12 (kHz) and v6.1 (MHz) alike', () => {
    // v6.12 capacity_freq_ref = cpuinfo.max_freq (kHz): 485 × 1416000 = 686760000; 1024 × 1800000 = 1843200000 (the scale);
    //   (686760000 << 10) / 1843200000 = 703242240000 / 1843200000 = 381 (381.53)
    // v6.1 freq_factor = max_freq / 1000 (MHz): 485 × 1416 = 686760; 1024 × 1800 = 1843200;
    //   (686760 << 10) / 1843200 = 703242240 / 1843200 = 381
    assert.deepEqual(normalizeCpuCapacities(rk(), [6, 12]).map((c) => c.capacity), [381, 381, 381, 381, 1024, 1024]);
    assert.deepEqual(normalizeCpuCapacities(rk(), [6, 1]).map((c) => c.capacity), [381, 381, 381, 381, 1024, 1024]);
  });

  test('MHz truncation on v6.1 shows when a maximum is not a whole MHz', () => {
    // two CPUs of 1024 DMIPS/MHz at 999999 kHz and 1000000 kHz:
    //   v6.12: 1024 × 999999 = 1023998976; << 10 = 1048574951424; / (1024 × 1000000 = 1024000000) = 1023 (1023.999)
    //   v6.1:  999999 / 1000 = 999 MHz: 1024 × 999 = 1022976; << 10 = 1047527424; / (1024 × 1000) = 1022 (1022.976)
    const cpus = [{ dmipsMhz: 1024, maxFreqKhz: 999999 }, { dmipsMhz: 1024, maxFreqKhz: 1000000 }];
    assert.equal(normalizeCpuCapacities(cpus, [6, 12])[0]!.capacity, 1023);
    assert.equal(normalizeCpuCapacities(cpus, [6, 1])[0]!.capacity, 1022);
  });

  test('no capacity-dmips-mhz anywhere, or missing on one CPU: 1024 for all (topology_parse_cpu_capacity frees raw_capacity)', () => {
    assert.deepEqual(normalizeCpuCapacities([{ dmipsMhz: null, maxFreqKhz: 1 }, { dmipsMhz: null, maxFreqKhz: 2 }]).map((c) => [c.capacity, c.origin]), [[1024, 'default'], [1024, 'default']]);
    // "partial information: fallback to 1024 for all CPUs"
    assert.deepEqual(normalizeCpuCapacities([{ dmipsMhz: 485, maxFreqKhz: 1416000 }, { dmipsMhz: null, maxFreqKhz: 1800000 }]).map((c) => [c.capacity, c.origin]), [[1024, 'partial'], [1024, 'partial']]);
  });

  test('a CPU without cpufreq: the capacities normalised at boot stay, from capacity-dmips-mhz alone', () => {
    // init_cpu_capacity_callback() renormalises only once every possible CPU has been in a policy
    // (cpumask_empty(cpus_to_visit)); a CPU without an OPP table never gets one, so the values of the boot-time
    // topology_normalize_cpu_scale() (parse_dt_topology) stay, with capacity_freq_ref / freq_factor still 1 for a
    // CPU node without a clock: (485 × 1 << 10) / (1024 × 1) = 496640 / 1024 = 485 for the A53s, 1024 for the A72s.
    for (const k of [[6, 12], [6, 1]] as const) {
      assert.deepEqual(normalizeCpuCapacities(rk(1416000, null), k).map((c) => [c.capacity, c.origin]),
        [[485, 'boot'], [485, 'boot'], [485, 'boot'], [485, 'boot'], [1024, 'boot'], [1024, 'boot']]);
    }
  });
});

describe('drivers/opp/of.c dev_pm_opp_of_register_em(): opp-microwatt or C·V²·f, the lowest OPP decides', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-kernel-em-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const gpu = (lowest: string) => {
    const f = path.join(tmp, `gpu-${lowest.length}.dts`);
    fs.writeFileSync(f, `/dts-v1/;
/ {
  gpu_opp_table: opp-table-2 {
    compatible = "operating-points-v2";
    a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; ${lowest} };
    c { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; opp-microwatt = <2000000>; };
  };
  gpu: gpu@ff9a0000 { operating-points-v2 = <&gpu_opp_table>; dynamic-power-coefficient = <2640>; };
};
`);
    return f;
  };

  test('an opp-microwatt of 0 on the lowest OPP falls back to C·V²·f for every OPP', () => {
    // _of_has_opp_microwatt_property(): dev_pm_opp_find_freq_ceil(freq 0) is the lowest OPP; its power 0 →
    // false → dev_pm_opp_calc_power() for all: 2640 × 825² × 200 / 1e6 = 359370, 2640 × 1100² × 800 / 1e6 = 2555520
    // (the top OPP's opp-microwatt of 2000000 is ignored)
    let r = run(['model', 'em', '--dts', gpu('opp-microwatt = <0>;'), '--table', 'gpu', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.powerUw), [359370, 2555520]);
    // a non-zero one there: _get_dt_power() for all, 300000 and 2000000
    r = run(['model', 'em', '--dts', gpu('opp-microwatt = <300000>;'), '--table', 'gpu', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.powerUw), [300000, 2000000]);
  });
});
