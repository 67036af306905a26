/**
 * Arm SCMI power capping, as drivers/powercap/arm_scmi_powercap.c and the protocol layer under
 * it, drivers/firmware/arm_scmi/powercap.c, handle a write (read against v6.12). The firmware
 * describes each power-capping domain (POWERCAP_DOMAIN_ATTRIBUTES: its unit, cap and averaging
 * interval bounds and steps, its parent); the kernel keeps, per domain, whether the cap is
 * enabled and the last non-zero cap asked for (`struct scmi_powercap_state`). Values here are in
 * the firmware's unit (mW or µW, u32) unless a name says µW.
 *
 * Pure functions named after the kernel's; the emulated kernel (source/emulated-scmi.ts)
 * stores what they return, as the powercap core would show it.
 */
import { SysfsError } from '../errors.js';

/** the control type arm_scmi_powercap.c registers (scmi_powercap_init) */
export const SCMI_CONTROL_TYPE = 'arm-scmi';

/** What the firmware reported for a domain (struct scmi_powercap_info), the fields a write uses. */
export interface ScmiPowercapInfo {
  /** powercap_scale_mw: the domain counts in mW (else µW) */
  scaleMw: boolean;
  /** powercap_cap_config: the cap can be set */
  capConfig: boolean;
  minPowerCap: bigint;
  maxPowerCap: bigint;
  powerCapStep: bigint;
  /** powercap_pai_config: the averaging interval can be set */
  paiConfig: boolean;
  /** µs */
  minPai: bigint;
  maxPai: bigint;
  paiStep: bigint;
}

/** The kernel's state of a domain (struct scmi_powercap_state) and the platform's cap. */
export interface ScmiPowercapState {
  /** the cap the platform enforces, what POWERCAP_CAP_GET answers (0: none, on protocol ≥ 2) */
  cap: bigint;
  /** last_pcap: the last non-zero cap set or asked for (protocol ≥ 2) */
  lastPcap: bigint;
}

const U32 = (v: bigint): bigint => BigInt.asUintN(32, v);
/** rounddown(x, y) of include/linux/math.h: x - x % y */
const rounddown = (x: bigint, y: bigint): bigint => (y === 0n ? x : x - (x % y));
/** clamp_t(u32, …) of include/linux/minmax.h: the value is converted to u32 first, then clamped */
const clampU32 = (v: bigint, lo: bigint, hi: bigint): bigint => {
  const u = U32(v);
  return u < lo ? lo : u > hi ? hi : u;
};
/** DIV_ROUND_UP_ULL */
const divRoundUp = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** The major number of the protocol version (PROTOCOL_REV_MAJOR): the enable/disable state exists from 2 on. */
const hasDisable = (protocolMajor: number) => protocolMajor >= 2;

/** A cap in the firmware's unit as the powercap core shows it, µW (scmi_powercap_get_power_limit_uw). */
export const capToUw = (info: Pick<ScmiPowercapInfo, 'scaleMw'>, cap: bigint): bigint => (info.scaleMw ? cap * 1000n : cap);

/**
 * scmi_powercap_normalize_cap (arm_scmi_powercap.c): µW to the firmware's unit (mW: rounded UP
 * to a whole mW, DIV_ROUND_UP_ULL), converted to u32 and clamped to [min, max] (clamp_t(u32, …):
 * the conversion comes first, so a value of 2^32 units or more wraps before the clamp), then
 * rounded down to the step (rounddown, from 0, not from min: a min that is no multiple of the
 * step is rounded below itself).
 * 7 500 500 µW on a mW domain [2000, 15000] step 250 → 7501 → 7500 mW.
 */
export function normalizeCap(info: ScmiPowercapInfo, powerUw: bigint): bigint {
  const val = info.scaleMw ? divRoundUp(powerUw, 1000n) : powerUw;
  return rounddown(clampU32(val, info.minPowerCap, info.maxPowerCap), info.powerCapStep);
}

/** scmi_powercap_normalize_time: the interval clamped to [min_pai, max_pai] as u32, rounded down to pai_step. */
export function normalizeTime(info: ScmiPowercapInfo, timeUs: bigint): bigint {
  return rounddown(clampU32(timeUs, info.minPai, info.maxPai), info.paiStep);
}

/** EINVAL from the driver or the protocol layer; the powercap core turns it into what the store returns. */
const einval = (why: string) => new SysfsError('EINVAL', '', why);

/**
 * A write of `constraint_0_power_limit_uw`: scmi_powercap_set_power_limit_uw, then the protocol's
 * scmi_powercap_cap_set and __scmi_powercap_cap_set. Returns the new state, or throws EINVAL:
 * - a domain whose cap cannot be configured (powercap_cap_config 0);
 * - a cap that normalises to 0 ("disallow zero as a possible explicitly requested powercap");
 * - a cap outside [min, max] after rounding down to the step.
 * On protocol ≥ 2 a disabled domain only records the cap as last_pcap ("just log the last set
 * request"): the platform's cap stays 0 until the domain is enabled.
 */
export function setPowerLimitUw(info: ScmiPowercapInfo, state: ScmiPowercapState, protocolMajor: number, powerUw: bigint): ScmiPowercapState {
  if (!info.capConfig) throw einval('the firmware does not let this domain\'s cap be set (scmi_powercap_set_power_limit_uw)');
  const norm = normalizeCap(info, powerUw);
  if (norm === 0n) throw einval('a cap of 0 is refused (scmi_powercap_cap_set)');
  if (hasDisable(protocolMajor) && state.cap === 0n) return { cap: 0n, lastPcap: norm };
  return capSet(info, state, protocolMajor, norm);
}

/** __scmi_powercap_cap_set: a non-zero cap within [min, max] goes to the platform and, on protocol ≥ 2, becomes last_pcap. */
function capSet(info: ScmiPowercapInfo, state: ScmiPowercapState, protocolMajor: number, cap: bigint): ScmiPowercapState {
  if (!info.capConfig) throw einval('the firmware does not let this domain\'s cap be set (__scmi_powercap_cap_set)');
  if (cap !== 0n && (cap < info.minPowerCap || cap > info.maxPowerCap)) {
    throw einval(`a cap of ${cap} is outside [${info.minPowerCap}, ${info.maxPowerCap}] (__scmi_powercap_cap_set)`);
  }
  return { cap, lastPcap: hasDisable(protocolMajor) && cap !== 0n ? cap : state.lastPcap };
}

/**
 * A write of `enabled`: scmi_powercap_cap_enable_set. Protocol 1 has no disable (EINVAL). Asking
 * for the state it is in does nothing; enabling writes last_pcap back (EINVAL when there is none:
 * "cannot enable with a zero powercap"); disabling writes a cap of 0. The state is then read back
 * from the platform (enabled = cap ≠ 0).
 */
export function capEnableSet(info: ScmiPowercapInfo, state: ScmiPowercapState, protocolMajor: number, enable: boolean): ScmiPowercapState {
  if (!hasDisable(protocolMajor)) throw einval('protocol version 1 has no enable/disable (scmi_powercap_cap_enable_set)');
  if (enable === (state.cap !== 0n)) return state;
  if (enable) {
    if (state.lastPcap === 0n) throw einval('no earlier cap to enable (scmi_powercap_cap_enable_set)');
    return capSet(info, state, protocolMajor, state.lastPcap);
  }
  return capSet(info, state, protocolMajor, 0n);
}

/** `enabled` as scmi_powercap_cap_enable_get reads it: always 1 before protocol 2, else whether the platform's cap is non-zero. */
export const capEnabled = (state: Pick<ScmiPowercapState, 'cap'>, protocolMajor: number): boolean => !hasDisable(protocolMajor) || state.cap !== 0n;

/**
 * A write of `constraint_0_time_window_us`: scmi_powercap_set_time_window_us, then
 * scmi_powercap_pai_set. Returns the interval the platform now averages over, or throws EINVAL:
 * a domain whose interval cannot be configured, or one that normalises to 0 or outside [min, max].
 */
export function setTimeWindowUs(info: ScmiPowercapInfo, timeUs: bigint): bigint {
  if (!info.paiConfig) throw einval('the firmware does not let this domain\'s averaging interval be set (scmi_powercap_set_time_window_us)');
  const pai = normalizeTime(info, timeUs);
  if (pai === 0n || pai < info.minPai || pai > info.maxPai) {
    throw einval(`an averaging interval of ${pai} µs is outside [${info.minPai}, ${info.maxPai}] (scmi_powercap_pai_set)`);
  }
  return pai;
}
