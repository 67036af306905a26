/**
 * src/core/kernel/scmi-powercap.ts held against drivers/powercap/arm_scmi_powercap.c and
 * drivers/firmware/arm_scmi/powercap.c (v6.12): the cap normalised to the firmware's unit, clamped
 * and rounded down to its step; the protocol's refusals; enable/disable and the last cap; the
 * averaging interval. Every expected number is worked out in the comment above it.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  capEnableSet, capEnabled, capToUw, normalizeCap, normalizeTime, setPowerLimitUw, setTimeWindowUs, type ScmiPowercapInfo,
} from '../src/core/kernel/scmi-powercap.js';
import { SysfsError } from '../src/core/errors.js';

/** the bundled board's soc: mW, cap [3000, 16000] step 500, interval [1000, 100000] µs step 1000 */
const soc: ScmiPowercapInfo = {
  scaleMw: true, capConfig: true, minPowerCap: 3000n, maxPowerCap: 16000n, powerCapStep: 500n,
  paiConfig: true, minPai: 1000n, maxPai: 100000n, paiStep: 1000n,
};
/** its gpu: µW, cap [500000, 6000000] step 50000 */
const gpu: ScmiPowercapInfo = { ...soc, scaleMw: false, minPowerCap: 500000n, maxPowerCap: 6000000n, powerCapStep: 50000n };
const einval = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof SysfsError && e.errno === 'EINVAL');

describe('scmi_powercap_normalize_cap: unit, clamp to [min, max], rounddown to the step', () => {
  test('a mW domain rounds the µW UP to a whole mW (DIV_ROUND_UP_ULL), then DOWN to the step', () => {
    // 7500500 µW → ⌈7500.5⌉ = 7501 mW → clamp [3000, 16000] = 7501 → rounddown(7501, 500) = 7500 mW
    assert.equal(normalizeCap(soc, 7_500_500n), 7500n);
    // 7999999 µW → 8000 mW (up) → 8000, a multiple of 500
    assert.equal(normalizeCap(soc, 7_999_999n), 8000n);
    // 7000001 µW → 7001 mW → 7000
    assert.equal(normalizeCap(soc, 7_000_001n), 7000n);
    assert.equal(capToUw(soc, 7500n), 7_500_000n);
  });
  test('a µW domain rounds down to its step: 3.33 W → 3.3 W', () => {
    // 3330000 − 3330000 % 50000 = 3330000 − 30000 = 3300000
    assert.equal(normalizeCap(gpu, 3_330_000n), 3_300_000n);
    assert.equal(capToUw(gpu, 3_300_000n), 3_300_000n);
  });
  test('outside the bounds: clamped to max (20 W → 16 W) or min (1 W → 3 W)', () => {
    assert.equal(normalizeCap(soc, 20_000_000n), 16000n);
    assert.equal(normalizeCap(soc, 1_000_000n), 3000n);
    assert.equal(normalizeCap(soc, 0n), 3000n);
  });
  test('clamp_t(u32, …) converts before it clamps: 2^32 + 600000 µW wraps to 600000 µW, not the max', () => {
    // (4294967296 + 600000) mod 2^32 = 600000: inside [500000, 6000000], then rounddown(600000, 50000) = 600000
    assert.equal(normalizeCap(gpu, 4_294_967_296n + 600_000n), 600_000n);
    // 2^32 µW exactly wraps to 0, clamped up to the min 500000
    assert.equal(normalizeCap(gpu, 4_294_967_296n), 500_000n);
  });
  test('rounddown counts from 0, not from min: min 1000 with a step of 300 rounds to 900, below min', () => {
    const odd = { ...soc, minPowerCap: 1000n, powerCapStep: 300n };
    // 1 W → 1000 mW → clamp 1000 → 1000 − 1000 % 300 = 900
    assert.equal(normalizeCap(odd, 1_000_000n), 900n);
    // and __scmi_powercap_cap_set refuses 900 < min: EINVAL (ENODATA through the powercap core)
    einval(() => setPowerLimitUw(odd, { cap: 2000n, lastPcap: 2000n }, 2, 1_000_000n));
  });
});

describe('scmi_powercap_set_power_limit_uw and the protocol\'s cap_set', () => {
  const on = { cap: 14000n, lastPcap: 14000n };
  test('an enabled domain takes the normalised cap, which becomes last_pcap (protocol 2)', () => {
    assert.deepEqual(setPowerLimitUw(soc, on, 2, 7_500_500n), { cap: 7500n, lastPcap: 7500n });
  });
  test('protocol 1 keeps no last_pcap', () => {
    assert.deepEqual(setPowerLimitUw(soc, { cap: 14000n, lastPcap: 0n }, 1, 7_500_500n), { cap: 7500n, lastPcap: 0n });
  });
  test('a domain whose cap cannot be set (min = max: scmi_powercap_validate) refuses', () => {
    einval(() => setPowerLimitUw({ ...soc, capConfig: false, minPowerCap: 1500n, maxPowerCap: 1500n }, { cap: 1500n, lastPcap: 1500n }, 2, 1_500_000n));
  });
  test('a cap that normalises to 0 is refused ("disallow zero")', () => {
    // min 100, step 300: rounddown(100, 300) = 0
    einval(() => setPowerLimitUw({ ...soc, minPowerCap: 100n, powerCapStep: 300n }, on, 2, 0n));
  });
  test('a disabled domain (protocol 2) only logs the cap as last_pcap: the platform\'s cap stays 0', () => {
    assert.deepEqual(setPowerLimitUw(gpu, { cap: 0n, lastPcap: 0n }, 2, 3_330_000n), { cap: 0n, lastPcap: 3_300_000n });
  });
});

describe('scmi_powercap_cap_enable_set / _get', () => {
  test('disable writes a cap of 0 and keeps last_pcap; enable writes last_pcap back', () => {
    const off = capEnableSet(soc, { cap: 7500n, lastPcap: 7500n }, 2, false);
    assert.deepEqual(off, { cap: 0n, lastPcap: 7500n });
    assert.equal(capEnabled(off, 2), false);
    const back = capEnableSet(soc, off, 2, true);
    assert.deepEqual(back, { cap: 7500n, lastPcap: 7500n });
    assert.equal(capEnabled(back, 2), true);
  });
  test('enabling with no earlier cap fails ("cannot enable with a zero powercap")', () => {
    einval(() => capEnableSet(gpu, { cap: 0n, lastPcap: 0n }, 2, true));
  });
  test('asking for the state the domain is in does nothing', () => {
    const s = { cap: 7500n, lastPcap: 7500n };
    assert.equal(capEnableSet(soc, s, 2, true), s);
  });
  test('protocol 1 has no enable/disable (EINVAL) and always reads enabled', () => {
    einval(() => capEnableSet(soc, { cap: 7500n, lastPcap: 0n }, 1, false));
    assert.equal(capEnabled({ cap: 0n }, 1), true);
  });
});

describe('scmi_powercap_normalize_time and pai_set: the averaging interval', () => {
  test('clamped to [min_pai, max_pai] and rounded down to pai_step: 12.3 ms → 12 ms; 0 → 1 ms; 1 s → 100 ms', () => {
    assert.equal(normalizeTime(soc, 12_300n), 12_000n);
    assert.equal(setTimeWindowUs(soc, 12_300n), 12_000n);
    assert.equal(setTimeWindowUs(soc, 0n), 1_000n);
    assert.equal(setTimeWindowUs(soc, 1_000_000n), 100_000n);
  });
  test('an interval that cannot be set (min = max) refuses', () => {
    einval(() => setTimeWindowUs({ ...soc, paiConfig: false, minPai: 10000n, maxPai: 10000n }, 10_000n));
  });
  test('rounded below min_pai: refused', () => {
    // min 1500, step 1000: rounddown(1500, 1000) = 1000 < 1500
    einval(() => setTimeWindowUs({ ...soc, minPai: 1500n }, 1_500n));
  });
});
