/**
 * src/core/kernel/rapl.ts held against drivers/powercap/intel_rapl_common.c (v6.1 and v6.12):
 * rapl_unit_xlate() for POWER_UNIT and rapl_compute_time_window_core() for TIME_UNIT, in both
 * directions, with the units of MSR_RAPL_POWER_UNIT on nearly every part (rapl_check_unit_core):
 * power_unit = 1000000 / (1 << 3) = 125000 µW, time_unit = 1000000 / (1 << 10) = 976 µs.
 * Every expected number is worked out in the comment above it.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeTimeWindow, quantizePowerLimit, RAPL_POWER_UNIT_UW, RAPL_TIME_UNIT_US, timeWindowFromRaw, timeWindowOverflows, timeWindowRaw,
  powerLimitMask, isAmdRaplZone,
} from '../src/core/kernel/rapl.js';

describe('rapl_unit_xlate(POWER_UNIT): a power limit to the register and back', () => {
  test('the units rapl_check_unit_core() derives: 125000 µW and 976 µs (integer division)', () => {
    // 1000000 / 8 = 125000; 1000000 / 1024 = 976 (976.56)
    assert.equal(RAPL_POWER_UNIT_UW, 125000n);
    assert.equal(RAPL_TIME_UNIT_US, 976n);
  });

  test('to the register: value / power_unit, truncated; back: raw × power_unit', () => {
    // 15 W: 15000000 / 125000 = 120 → 120 × 125000 = 15000000
    assert.equal(quantizePowerLimit(15_000_000n), 15_000_000n);
    // 15.1 W: 15100000 / 125000 = 120 (120.8) → 15000000: the 0.1 W is lost, rounded down, never up
    assert.equal(quantizePowerLimit(15_100_000n), 15_000_000n);
    // below one unit: 124999 / 125000 = 0 → 0 W
    assert.equal(quantizePowerLimit(124_999n), 0n);
  });

  test('the PL1/PL2 field is 15 bits (POWER_LIMIT1_MASK 0x7FFF): 4096 W and above wrap', () => {
    // rapl_write_data_raw(): bits = xlate(value) & mask. 4095.875 W = 32767 units: the largest;
    // 4096 W = 32768 units & 0x7FFF = 0 → reads 0; 4096.125 W = 32769 & 0x7FFF = 1 → 125000 µW
    assert.equal(quantizePowerLimit(4_095_875_000n), 4_095_875_000n);
    assert.equal(quantizePowerLimit(4_096_000_000n), 0n);
    assert.equal(quantizePowerLimit(4_096_125_000n), 125_000n);
  });
});

describe('the limit field of each constraint and interface (rpi_msr, rpi_tpmi: rapl_write_data_raw masks the units)', () => {
  test('the masks: MSR PL1/PL2 0x7FFF, MSR PL4 0x1FFF, TPMI 0x3FFFF for every limit', () => {
    assert.equal(powerLimitMask('msr', 'long_term'), 0x7fffn);
    assert.equal(powerLimitMask('msr', 'short_term'), 0x7fffn);
    assert.equal(powerLimitMask('msr', null), 0x7fffn);
    assert.equal(powerLimitMask('msr', 'peak_power'), 0x1fffn);
    for (const c of ['long_term', 'short_term', 'peak_power', null]) assert.equal(powerLimitMask('tpmi', c), 0x3ffffn);
  });

  test('MSR peak_power (13 bits): 1023.875 W is the largest; 1024 W wraps to 0; 1500 W reads 476 W', () => {
    const pl4 = powerLimitMask('msr', 'peak_power');
    // 1023.875 W = 8191 units = 0x1FFF
    assert.equal(quantizePowerLimit(1_023_875_000n, pl4), 1_023_875_000n);
    // 1024 W = 8192 units & 0x1FFF = 0
    assert.equal(quantizePowerLimit(1_024_000_000n, pl4), 0n);
    // 1500 W = 12000 units & 0x1FFF = 12000 − 8192 = 3808 units = 476 W
    assert.equal(quantizePowerLimit(1_500_000_000n, pl4), 476_000_000n);
    // the same 1500 W through long_term (15 bits) is kept
    assert.equal(quantizePowerLimit(1_500_000_000n, powerLimitMask('msr', 'long_term')), 1_500_000_000n);
  });

  test('TPMI (18 bits): 5000 W is kept where MSR wraps it; 32767.875 W is the largest, 32768 W wraps to 0', () => {
    const tpmi = powerLimitMask('tpmi', 'long_term');
    // 5000 W = 40000 units: within 0x3FFFF (262143); through MSR 40000 & 0x7FFF = 7232 units = 904 W
    assert.equal(quantizePowerLimit(5_000_000_000n, tpmi), 5_000_000_000n);
    assert.equal(quantizePowerLimit(5_000_000_000n, powerLimitMask('msr', 'long_term')), 904_000_000n);
    // 0x3FFFF units = 262143 × 125000 µW = 32767.875 W; 262144 units & 0x3FFFF = 0
    assert.equal(quantizePowerLimit(32_767_875_000n, tpmi), 32_767_875_000n);
    assert.equal(quantizePowerLimit(32_768_000_000n, tpmi), 0n);
    // a PL4 of 1100 W through TPMI: 8800 units, kept (it would wrap to 76 W through MSR's 13 bits)
    assert.equal(quantizePowerLimit(1_100_000_000n, powerLimitMask('tpmi', 'peak_power')), 1_100_000_000n);
    assert.equal(quantizePowerLimit(1_100_000_000n, powerLimitMask('msr', 'peak_power')), 76_000_000n);
  });
});

describe('an AMD RAPL zone (intel_rapl_msr.c, rapl_msr_priv_amd: energy status registers only)', () => {
  const zone = (name: string | null, o: { controlType?: string; constraints?: number; enabled?: boolean | null } = {}) =>
    ({ controlType: o.controlType ?? 'intel-rapl', name, constraints: Array.from({ length: o.constraints ?? 0 }), enabled: o.enabled === undefined ? false : o.enabled });
  test('package-N, package-N-die-M and core with no constraint files and enabled 0 are AMD', () => {
    for (const n of ['package-0', 'package-1', 'package-0-die-1', 'core']) assert.equal(isAmdRaplZone(zone(n)), true, n);
  });
  test('not AMD: a zone with constraints, enabled 1 or unknown, another name (a TPMI dram or psys without PL1), MMIO, DTPM', () => {
    assert.equal(isAmdRaplZone(zone('package-0', { constraints: 1 })), false);
    assert.equal(isAmdRaplZone(zone('package-0', { enabled: true })), false);
    assert.equal(isAmdRaplZone(zone('package-0', { enabled: null })), false);
    assert.equal(isAmdRaplZone(zone('dram')), false);
    assert.equal(isAmdRaplZone(zone('psys')), false);
    assert.equal(isAmdRaplZone(zone(null)), false);
    assert.equal(isAmdRaplZone(zone('package-0', { controlType: 'intel-rapl-mmio' })), false);
    assert.equal(isAmdRaplZone(zone('package', { controlType: 'dtpm' })), false);
  });
});

describe('rapl_compute_time_window_core(): 2^Y × (1 + F/4) time units, Y 5 bits, F 2 bits', () => {
  test('28 s → Y 14, F 3 → 27983872 µs', () => {
    // to_raw: 28000000 / 976 = 28688 (rem 512); ilog2(28688) = 14 (16384 ≤ 28688 < 32768);
    //   F = 4 × (28688 − 16384) / 16384 = 49216 / 16384 = 3 (3.004)
    // back: (1 << 14) × (4 + 3) × 976 / 4 = 16384 × 7 × 976 / 4 = 111935488 / 4 = 27983872
    assert.deepEqual(timeWindowRaw(28_000_000n), { y: 14n, f: 3n });
    assert.equal(timeWindowFromRaw(14n, 3n), 27_983_872n);
    assert.equal(computeTimeWindow(28_000_000n), 27_983_872n);
  });

  test('1 s → Y 10, F 0 → 999424 µs', () => {
    // 1000000 / 976 = 1024 (rem 576); ilog2 = 10; F = 4 × 0 / 1024 = 0; (1 << 10) × 4 × 976 / 4 = 999424
    assert.equal(computeTimeWindow(1_000_000n), 999_424n);
  });

  test('a window below one time unit (0 included) is stored as raw 0 and reads back as one unit, 976 µs', () => {
    // to_raw: value < time_unit → return 0; back: Y 0, F 0 → (1 << 0) × 4 × 976 / 4 = 976
    assert.deepEqual(timeWindowRaw(975n), { y: 0n, f: 0n });
    assert.equal(computeTimeWindow(975n), 976n);
    assert.equal(computeTimeWindow(0n), 976n);
    assert.equal(computeTimeWindow(976n), 976n);
  });

  test('2^31 units and more: (1 << y) is an int, 1 << 31 is INT_MIN, sign-extended into the u64 read path', () => {
    // the last window that reads back sanely: 2^31 − 1 units = 2147483647 × 976 = 2095944039472 µs and up to
    // 2095944040447 µs: Y 30, F = 4 × (2147483647 − 2^30) / 2^30 = 3 → (1 << 30) × 7 × 976 / 4 = 1833951035392 µs
    assert.equal(computeTimeWindow(2_095_944_040_447n), 1_833_951_035_392n);
    assert.equal(timeWindowOverflows(2_095_944_040_447n), false);
    // 2^31 units = 2095944040448 µs: Y 31, F 0. Back: (int)(1 << 31) = −2147483648 → as u64 2^64 − 2^31;
    //   × (4 + 0) × 976 = (2^64 − 2^31) × 3904 mod 2^64 = 2^64 − 8383776161792 = 18446735689933389824; / 4 = 4611683922483347456
    assert.equal(timeWindowOverflows(2_095_944_040_448n), true);
    assert.deepEqual(timeWindowRaw(2_095_944_040_448n), { y: 31n, f: 0n });
    assert.equal(computeTimeWindow(2_095_944_040_448n), 4_611_683_922_483_347_456n);
  });

  test('past Y = 0x1f the field saturates at 0x7f (Y 31, F 3)', () => {
    // 2^32 units: ilog2 = 32 > 0x1f → return 0x7f → Y 31, F 3; back: (2^64 − 2^31) × 7 × 976 mod 2^64 = 18446729402101268480; / 4 = 4611682350525317120
    assert.deepEqual(timeWindowRaw(4_191_888_080_896n), { y: 31n, f: 3n });
    assert.equal(computeTimeWindow(4_191_888_080_896n), 4_611_682_350_525_317_120n);
    assert.equal(computeTimeWindow(10n ** 18n), 4_611_682_350_525_317_120n);
  });
});
