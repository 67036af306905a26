/**
 * govern (issue 20): the power allocator's controller as drivers/thermal/gov_power_allocator.c
 * computes it, pinned with the kernel's Q10 numbers written out (estimate_pid_constants,
 * pid_controller), the switch-on reset, the ramp after a target change, and thermal zones
 * found by type or number.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { estimatePidConstants, estimateSustainablePower, pidController, type PidState, type PidTunables } from '../src/core/kernel/power-allocator.js';
import { Governor, GovernBudget, DEFAULT_INTEGRAL_CUTOFF_MC } from '../src/core/govern/governor.js';
import { findThermalZone, listThermalZones, readTemperatureMc } from '../src/core/govern/thermal.js';
import { TreeSource } from '../src/core/source/tree.js';
import { PowercapError } from '../src/core/errors.js';

const fresh = (): PidState => ({ err_integral: 0n, prev_err: 0 });
// rk3399 with a 2 W sustainable power, no switch-on trip: the threshold is the target itself, 45 000 m°C
const KERNEL: PidTunables = { k_po: 45, k_pu: 91, k_i: 9, k_d: 0, integral_cutoff: 0, sustainable_power: 2000 };
const MAX_MW = 5532; // Σ max of the three leaves, mW

describe('estimate_pid_constants', () => {
  test('k_po = (S << 10) / threshold, k_pu = (2S << 10) / threshold, k_i = k_pu / 10 (at least 1)', () => {
    // no switch-on trip: threshold = control_temp = 45000; 2000 << 10 = 2048000; / 45000 = 45.5 → 45
    assert.deepEqual(estimatePidConstants(2000, null, 45000), { k_po: 45, k_pu: 91, k_i: 9 });
    // switch-on at 35 °C: threshold 10000 → 204.8 → 204, 409.6 → 409, 40
    assert.deepEqual(estimatePidConstants(2000, 35000, 45000), { k_po: 204, k_pu: 409, k_i: 40 });
    // the zones' minimum as sustainable power (712 mW): 16.2 → 16, 32.4 → 32, 3
    assert.deepEqual(estimatePidConstants(712, null, 45000), { k_po: 16, k_pu: 32, k_i: 3 });
    // two trips at one temperature: the kernel gives up, gains unchanged
    assert.equal(estimatePidConstants(2000, 45000, 45000), null);
    // a switch-on above the target: the u32 threshold wraps to 4294962296, every gain 0, k_i 1
    assert.deepEqual(estimatePidConstants(2000, 50000, 45000), { k_po: 0, k_pu: 0, k_i: 1 });
  });
  test('estimate_sustainable_power: the sum of each actor\'s most throttled power, mW', () => {
    assert.equal(estimateSustainablePower([111, 242, 359]), 712);
  });
});

describe('pid_controller', () => {
  test('under the target: k_pu × err, no integral with integral_cutoff 0', () => {
    const s = fresh();
    // err = (45000 − 40000) << 10 = 5120000; p = 91 × 5120000 >> 10 = 455000 (Q10) → 444 mW
    const r = pidController(s, KERNEL, 40000, 45000, MAX_MW, 200);
    assert.deepEqual(r, { err: 5000, errIntegral: 0, p: 444, i: 0, d: 0, powerRange: 2444 });
    assert.equal(s.err_integral, 0n);
    assert.equal(s.prev_err, 5120000);
  });
  test('over the target: k_po × err, and the integral accumulates (s64 shifts round toward −∞)', () => {
    const s = fresh();
    // err = −2000 << 10 = −2048000; p = 45 × −2048000 >> 10 = −90000; i = 9 × −2048000 >> 10 = −18000
    // power = 2000 + ((−90000 − 18000) >> 10) = 2000 + (−106) = 1894 (−105.47 rounds down)
    assert.equal(pidController(s, KERNEL, 47000, 45000, MAX_MW, 200).powerRange, 1894);
    assert.equal(s.err_integral, -2048000n);
    // again: i = 9 × −2048000 >> 10 + the new error's = −36000: 2000 + (−126000 >> 10) = 2000 − 124 = 1876
    const r = pidController(s, KERNEL, 47000, 45000, MAX_MW, 200);
    assert.deepEqual([r.powerRange, r.i, r.errIntegral], [1876, -36, -4000]);
  });
  test('the integral stays within the maximum power; the output within [0, max_allocatable_power]', () => {
    const s: PidState = { err_integral: -644_000_000n, prev_err: 0 };
    // i = 9 × −644000000 >> 10 = −5660157; with the new error −5678157, past 5532 << 10 = 5664768: not added
    const r = pidController(s, KERNEL, 47000, 45000, MAX_MW, 200);
    assert.equal(s.err_integral, -644_000_000n);
    assert.equal(r.i, -5528);
    assert.equal(r.powerRange, 0);
    // far under the target: 2000 + 91 × 45000 → 5999 mW, clamped to 5532
    assert.equal(pidController(fresh(), KERNEL, 0, 45000, MAX_MW, 200).powerRange, MAX_MW);
  });
  test('the derivative: div_frac(mul_frac(k_d, Δerr), passive delay in ms), as the kernel scales it', () => {
    // d = 100 × 5120000 >> 10 = 500000; div_frac(500000, 200) = (500000 << 10) / 200 = 2560000 → 2500 mW
    const r = pidController(fresh(), { ...KERNEL, k_d: 100 }, 40000, 45000, 100_000, 200);
    assert.equal(r.d, 2500);
    assert.equal(r.powerRange, 2000 + 444 + 2500);
  });
  test('integral_cutoff: an error under the cutoff is integrated below the target too', () => {
    const s = fresh();
    // 500 m°C under the target, cutoff 1000: i = 9 × 512000 >> 10 = 4500 (Q10) → 4 mW
    const r = pidController(s, { ...KERNEL, integral_cutoff: 1000 }, 44500, 45000, MAX_MW, 200);
    assert.equal(s.err_integral, 512000n);
    assert.equal(r.i, 4);
  });
});

describe('governor', () => {
  const MINS = [111_076, 242_150, 359_370];
  test('defaults: the kernel\'s estimate, integral_cutoff 1 °C; the sustainable power estimated from the zones\' minimum', () => {
    const g = new Governor({ controlTempMc: 45000, switchOnMc: null, sustainablePowerMw: 2000, periodMs: 200 }, MINS);
    assert.deepEqual(g.tunables, { k_po: 45, k_pu: 91, k_i: 9, k_d: 0, integral_cutoff: DEFAULT_INTEGRAL_CUTOFF_MC, sustainable_power: 2000 });
    const est = new Governor({ controlTempMc: 45000, switchOnMc: null, sustainablePowerMw: null, periodMs: 200, tunables: { k_i: 20, integral_cutoff: 0 } }, MINS);
    assert.deepEqual(est.tunables, { k_po: 16, k_pu: 32, k_i: 20, k_d: 0, integral_cutoff: 0, sustainable_power: 712 });
  });
  test('below the switch-on temperature: the maximum, and the controller reset', () => {
    const g = new Governor({ controlTempMc: 45000, switchOnMc: 35000, sustainablePowerMw: 2000, periodMs: 200 }, MINS);
    const over = g.step(46000, 712_596, 5_532_592);
    assert.equal(over.mode, 'pid');
    const cool = g.step(30000, 712_596, 5_532_592);
    assert.deepEqual([cool.mode, cool.budgetUw], ['maximum', 5_532_592]);
    // the integral was reset: the same temperature again gives the first step's answer
    const g2 = new Governor({ controlTempMc: 45000, switchOnMc: 35000, sustainablePowerMw: 2000, periodMs: 200 }, MINS);
    assert.equal(g.step(46000, 712_596, 5_532_592).budgetUw, g2.step(46000, 712_596, 5_532_592).budgetUw);
  });
  test('the budget is kept to at least the zones\' minimum; an unreadable temperature holds it', () => {
    const g = new Governor({ controlTempMc: 45000, switchOnMc: null, sustainablePowerMw: 2000, periodMs: 200 }, MINS);
    const hot = g.step(80000, 712_596, 5_532_592);
    assert.deepEqual([hot.budgetUw, hot.atMinimum], [712_596, true]);
    const held = g.step(null, 712_596, 5_532_592);
    assert.deepEqual([held.mode, held.budgetUw], ['hold', 712_596]);
  });
  test('after a target change the budget moves at the ramp rate (default: the sustainable power per second)', () => {
    const g = new Governor({ controlTempMc: 45000, switchOnMc: null, sustainablePowerMw: 2000, periodMs: 200, tunables: { integral_cutoff: 0 } }, MINS);
    assert.equal(g.step(45000, 712_596, 5_532_592).budgetUw, 2_000_000);
    g.setTarget(55000);
    // the PID asks 2000 + 91 × 10000 / 1024 = 2888 mW; 2 W/s over 200 ms is 400 mW a period
    const r1 = g.step(45000, 712_596, 5_532_592);
    assert.deepEqual([r1.wantedUw, r1.budgetUw, r1.ramped], [2_888_000, 2_400_000, true]);
    assert.equal(g.step(45000, 712_596, 5_532_592).budgetUw, 2_800_000);
    const r3 = g.step(45000, 712_596, 5_532_592);
    assert.deepEqual([r3.budgetUw, r3.ramped], [2_888_000, false]);
  });
  test('the integral under the target is frozen while no zone uses its budget (no wind-up)', () => {
    const g = new Governor({ controlTempMc: 45000, switchOnMc: null, sustainablePowerMw: 2000, periodMs: 200 }, MINS);
    const idle = g.step(44500, 712_596, 5_532_592, false);
    assert.deepEqual([idle.integralFrozen, idle.pid!.errIntegral], [true, 0]);
    const busy = g.step(44500, 712_596, 5_532_592, true);
    assert.deepEqual([busy.integralFrozen, busy.pid!.errIntegral], [false, 500]);
  });
  test('as a budget source: the temperature read each period', () => {
    let t: number | string = 40000;
    const src = new GovernBudget(new Governor({ controlTempMc: 45000, switchOnMc: null, sustainablePowerMw: 2000, periodMs: 200 }, MINS), () => t);
    const r = src.next({ tUs: 0, wallMs: 0, minimumUw: 712_596, maximumUw: 5_532_592, powerUw: null, saturated: true });
    assert.deepEqual([r.budgetUw, r.origin, r.governor!.mode], [2_444_000, 'govern', 'pid']);
    t = 'EIO';
    assert.equal(src.next({ tUs: 0, wallMs: 0, minimumUw: 712_596, maximumUw: 5_532_592, powerUw: null, saturated: true }).governor!.mode, 'hold');
  });
});

describe('thermal zones', () => {
  const src = new TreeSource({
    dirs: {
      thermal_zone0: { attrs: { type: 'x86_pkg_temp\n', temp: '52000\n' } },
      thermal_zone1: { attrs: { type: 'skin-therm\n', temp: '45123\n' } },
      thermal_zone10: { attrs: { type: 'skin-therm\n', temp: 'garbage\n' } },
      cooling_device0: { attrs: { type: 'Processor\n' } },
    },
  }, { kind: 'snapshot', file: 'thermal' });
  test('found by type (the first of a type), folder or number; temperatures in m°C', () => {
    assert.deepEqual(listThermalZones(src).map((z) => [z.index, z.type]), [[0, 'x86_pkg_temp'], [1, 'skin-therm'], [10, 'skin-therm']]);
    const skin = findThermalZone(src, 'skin-therm');
    assert.equal(skin.tempPath, 'thermal_zone1/temp');
    assert.equal(readTemperatureMc(src, skin), 45123);
    assert.equal(findThermalZone(src, '10').dir, 'thermal_zone10');
    assert.equal(findThermalZone(src, 'thermal_zone0').type, 'x86_pkg_temp');
    assert.equal(readTemperatureMc(src, findThermalZone(src, '10')), 'invalid');
  });
  test('an unknown zone: exit 3 naming those there are', () => {
    assert.throws(() => findThermalZone(src, 'battery'), (e: unknown) => e instanceof PowercapError && e.exitCode === 3
      && /no thermal zone 'battery'/.test(e.message) && /x86_pkg_temp \(0\), skin-therm \(1\)/.test(e.hint!));
  });
});
