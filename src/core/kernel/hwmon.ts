/**
 * GPU power caps in hwmon, as the drivers store them. The emulated kernel behind snapshots stores
 * what these return; set-limit, apply and balance ask them what a write will read back as.
 *
 * - drivers/hwmon/hwmon.c, `hwmon_attr_store`: kstrtol(buf, 10) before the driver sees the value
 *   (EINVAL for text that is no number, ERANGE past a long).
 * - drivers/gpu/drm/amd/pm/amdgpu_pm.c, `amdgpu_hwmon_set_power_cap`: kstrtou32, then
 *   `value / 1000000`: the SMU takes whole watts, and refuses a cap outside its range
 *   [power1_cap_min, power1_cap_max] with EINVAL (smu_set_power_limit).
 * - drivers/gpu/drm/i915/i915_hwmon.c, `hwm_power_max_write`, and drivers/gpu/drm/xe/xe_hwmon.c,
 *   `xe_hwmon_power_max_write`: 0 disables PL1 (it then reads 0); any other value is taken, and the
 *   hardware clamps it to PKG_POWER_SKU's min and max, which sysfs does not show (the read shows the
 *   clamped value). `power1_max_interval` (ms): above 256 s EINVAL, else stored as
 *   (1 + x/4) × 2^y time units of 1/1024 s (`hwm_power1_max_interval_store`).
 */
export const HWMON_CONTROL_TYPE = 'hwmon';
export const isHwmonType = (controlType: string): boolean => controlType === HWMON_CONTROL_TYPE;

/** The hwmon names (the `name` file) of the drivers whose rules are known. */
export const AMDGPU = 'amdgpu';
const INTEL_GPU = new Set(['i915', 'xe']);

/** Whether a driver uses `powerN_max` as its power limit (i915, xe: PL1); elsewhere the hwmon ABI's cap is `powerN_cap`. */
export const capIsPowerMax = (driver: string | null): boolean => driver !== null && INTEL_GPU.has(driver);

/** Whether the driver refuses a cap outside the range it shows (amdgpu: EINVAL), so that no forcing gets past it. */
export const capRangeRefused = (driver: string | null): boolean => driver === AMDGPU;

/** The step a driver stores caps in, µW: amdgpu whole watts; others as written (the Intel power unit is not in sysfs). */
export const capStepUw = (driver: string | null): bigint => (driver === AMDGPU ? 1_000_000n : 1n);

/** A refusal: the errno the store returns. */
export type Refusal = { errno: string };

const S32_MAX = 2n ** 32n - 1n;
const LONG_MAX = 2n ** 63n - 1n;

/** kstrto*(buf, 10, …): digits with an optional sign, one trailing newline; null when it is not a number. */
export function kstrtoInt(text: string, signed: boolean): bigint | null {
  const t = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!(signed ? /^[+-]?[0-9]+$/ : /^\+?[0-9]+$/).test(t)) return null;
  return BigInt(t.replace(/^\+/, ''));
}

/**
 * What a write of `text` to a power cap stores, µW, or the errno the driver answers with.
 * `bounds` are the range the driver shows (amdgpu's power1_cap_min and _max), null where unknown.
 */
export function storePowerCap(driver: string | null, text: string, bounds: { minUw: bigint | null; maxUw: bigint | null }): bigint | Refusal {
  if (driver === AMDGPU) {
    const v = kstrtoInt(text, false);
    if (v === null) return { errno: 'EINVAL' };
    if (v > S32_MAX) return { errno: 'ERANGE' };
    const stored = (v / 1_000_000n) * 1_000_000n;
    if ((bounds.minUw !== null && stored < bounds.minUw) || (bounds.maxUw !== null && stored > bounds.maxUw)) return { errno: 'EINVAL' };
    return stored;
  }
  const v = kstrtoInt(text, true);
  if (v === null) return { errno: 'EINVAL' };
  if (v > LONG_MAX || v < -LONG_MAX - 1n) return { errno: 'ERANGE' };
  // a negative cap reaches the driver as a huge one; what the hardware keeps of it is not modelled
  if (v < 0n) return { errno: 'EINVAL' };
  return v;
}

/** What a cap written as `uw` reads back as, where that is known before writing (amdgpu: whole watts). */
export const expectedCapUw = (driver: string | null, uw: bigint): bigint => (uw / capStepUw(driver)) * capStepUw(driver);

/** i915/xe's time unit: 1/1024 s (PKG_TIME_UNIT 0xa, the value the drivers' comments give). */
const TIME_SHIFT = 10n;
const X_W = 2n;
/** The longest window the store takes, ms: (4 | 0) << 0x12 time units (PKG_MAX_WIN_DEFAULT). */
export const MAX_INTERVAL_MS = ((4n << 0x12n) * 1000n) >> (TIME_SHIFT + X_W);

const ilog2 = (v: bigint): bigint => BigInt(v.toString(2).length - 1);

/** hwm_power1_max_interval_store, then _show: the window read back, ms, or EINVAL past MAX_INTERVAL_MS. */
export function storeMaxIntervalMs(ms: bigint): bigint | Refusal {
  if (ms < 0n || ms > MAX_INTERVAL_MS) return { errno: 'EINVAL' };
  // DIV_ROUND_CLOSEST_ULL(val << shift, SF_TIME)
  const hw = ((ms << TIME_SHIFT) + 500n) / 1000n;
  const y = hw === 0n ? 0n : ilog2(hw);
  const x = hw === 0n ? 0n : ((hw - (1n << y)) << X_W) >> y;
  const tau4 = ((1n << X_W) | x) << y;
  return (tau4 * 1000n) >> (TIME_SHIFT + X_W);
}

/** A window in µs as the millisecond attribute takes it: to the nearest ms. */
export const usToMs = (us: bigint): bigint => (us + 500n) / 1000n;

/** What a window written as `us` reads back as, µs (i915, xe), or null when the store refuses it. */
export function expectedIntervalUs(us: bigint): bigint | null {
  const r = storeMaxIntervalMs(usToMs(us));
  return typeof r === 'bigint' ? r * 1000n : null;
}
