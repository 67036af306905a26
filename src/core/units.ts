/**
 * Units in one module: parsing what people type (`15W`, `2.44ms`, `1.8GHz`) into
 * the kernel's integers, and formatting those integers for people (`28.0 W`).
 * Parsing is exact decimal arithmetic on strings: no float ever touches a value
 * that is written to the kernel.
 */
import { usageError } from './errors.js';

interface UnitTable {
  /** what the quantity is, for messages: "power" */
  what: string;
  /** the integer unit results are in, for messages: "µW" */
  base: string;
  /** suffix → power of ten relative to the base unit (W → 6 for µW) */
  units: Record<string, number>;
  /** how the accepted units are listed in an error */
  examples: string;
}

const POWER: UnitTable = {
  what: 'power',
  base: 'µW',
  units: { W: 6, w: 6, mW: 3, mw: 3, uW: 0, uw: 0, 'µW': 0, 'µw': 0, kW: 9, kw: 9 },
  examples: '15W, 15.5 W, 1500mW, 15000000uW, 1.2kW, max, min or 50%',
};
const DURATION: UnitTable = {
  what: 'duration',
  base: 'µs',
  units: { s: 6, sec: 6, ms: 3, us: 0, 'µs': 0 },
  examples: '28s, 2.44ms, 976us, 1m or 1h',
};
const FREQUENCY: UnitTable = {
  what: 'frequency',
  base: 'Hz',
  units: { Hz: 0, hz: 0, kHz: 3, khz: 3, KHz: 3, MHz: 6, mhz: 6, Mhz: 6, GHz: 9, ghz: 9, Ghz: 9 },
  examples: '1.8GHz, 1800MHz, 1800000kHz or 1800000000Hz',
};
const VOLTAGE: UnitTable = {
  what: 'voltage',
  base: 'µV',
  units: { V: 6, v: 6, mV: 3, mv: 3, uV: 0, uv: 0, 'µV': 0 },
  examples: '1.1V, 1100mV or 1100000uV',
};
const ENERGY: UnitTable = {
  what: 'energy',
  base: 'µJ',
  units: { J: 6, j: 6, mJ: 3, mj: 3, uJ: 0, uj: 0, 'µJ': 0, kJ: 9, kj: 9 },
  examples: '52.6kJ, 12J, 1500mJ or 1500000uJ',
};

const NUMBER_RE = /^([0-9]+)(?:\.([0-9]+))?$/;

/** `digits.fraction × 10^exp` as an exact bigint, or null when it is not a whole number of base units. */
function scaleDecimal(intPart: string, frac: string, exp: number): bigint | null {
  if (frac.length > exp) {
    // digits beyond the base unit's resolution must all be zero
    if (!/^0*$/.test(frac.slice(exp))) return null;
    frac = frac.slice(0, exp);
  }
  return BigInt(intPart + frac.padEnd(exp, '0'));
}

function badValue(input: string, table: UnitTable, why: string) {
  return usageError(`invalid ${table.what} '${input}': ${why}`, `use a number with a unit, e.g. ${table.examples}`);
}

function parseWithTable(input: string, table: UnitTable, extraMinutes = false): bigint {
  const text = input.trim();
  if (text === '') throw badValue(input, table, 'empty value');
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z\u00b5]*)$/.exec(text);
  if (!m) throw badValue(input, table, 'not a number with a unit');
  // indexed, not destructured: a destructuring allocates an iterator per value (a table of 1 000 OPPs)
  const num = m[1]!;
  const unit = m[2]!;
  if (num.startsWith('-')) throw badValue(input, table, 'negative values are not allowed');
  if (/[eE]/.test(num)) throw badValue(input, table, 'exponent notation is not accepted');
  const n = NUMBER_RE.exec(num.replace(/^\+/, ''));
  if (!n) throw badValue(input, table, 'not a decimal number');
  if (unit === '') throw badValue(input, table, `a unit is required`);
  let exp: number | undefined = table.units[unit];
  let multiplier = 1n;
  if (exp === undefined && extraMinutes) {
    if (unit === 'm' || unit === 'min') { exp = 6; multiplier = 60n; }
    else if (unit === 'h') { exp = 6; multiplier = 3600n; }
  }
  if (exp === undefined) throw badValue(input, table, `unknown unit '${unit}'`);
  const v = scaleDecimal(n[1]!, n[2] ?? '', exp);
  if (v === null) throw badValue(input, table, `finer than 1 ${table.base}, the kernel's resolution`);
  const result = v * multiplier;
  if (result > 0xffff_ffff_ffff_ffffn) throw badValue(input, table, 'out of range');
  return result;
}

/** What a power argument asks for, before the constraint's bounds are known. */
export type PowerSpec =
  | { kind: 'absolute'; uw: bigint }
  | { kind: 'max' }
  | { kind: 'min' }
  | { kind: 'percent'; /** hundredths of a percent */ basisPoints: bigint };

export function parsePowerSpec(input: string): PowerSpec {
  const t = input.trim();
  if (t === 'max') return { kind: 'max' };
  if (t === 'min') return { kind: 'min' };
  const pct = /^([0-9]+(?:\.[0-9]+)?)\s*%$/.exec(t);
  if (pct) {
    const [i, f = ''] = pct[1]!.split('.');
    const bp = scaleDecimal(i!, f, 2);
    if (bp === null) throw usageError(`invalid percentage '${input}': at most two decimals`);
    if (bp > 10000n) throw usageError(`invalid percentage '${input}': above 100% of the maximum`, 'use 0% to 100%, or an absolute power');
    return { kind: 'percent', basisPoints: bp };
  }
  return { kind: 'absolute', uw: parseWithTable(input, POWER) };
}

/** A PowerSpec as a person typed it: "max", "min", "80%", "25 W". */
export function formatPowerSpec(spec: PowerSpec): string {
  switch (spec.kind) {
    case 'absolute': return formatPower(spec.uw);
    case 'max': return 'max';
    case 'min': return 'min';
    case 'percent': return `${trimZeros((Number(spec.basisPoints) / 100).toFixed(2))}%`;
  }
}

/** A power with a unit, in µW. `max`, `min` and `%` are refused here (they need bounds). */
export function parsePowerUw(input: string): bigint {
  return parseWithTable(input, POWER);
}

/** Resolve a PowerSpec against a constraint's bounds. Returns null when the bound it needs is unknown. */
export function resolvePowerSpec(spec: PowerSpec, bounds: { minUw: bigint | null; maxUw: bigint | null }): bigint | null {
  switch (spec.kind) {
    case 'absolute': return spec.uw;
    case 'max': return bounds.maxUw;
    case 'min': return bounds.minUw ?? 0n;
    case 'percent': return bounds.maxUw === null ? null : (bounds.maxUw * spec.basisPoints) / 10000n;
  }
}

export const parseDurationUs = (input: string): bigint => parseWithTable(input, DURATION, true);
/**
 * An interval between samples: a duration with a unit, or bare seconds as `sleep`, `watch -n`
 * and turbostat take them (`1`, `0.5`). A power never takes a bare number (µW or W is a real
 * ambiguity there); a time between samples has one reading.
 */
export const parseIntervalUs = (input: string): bigint =>
  /^\s*[0-9]+(?:\.[0-9]+)?\s*$/.test(input) ? parseWithTable(`${input.trim()}s`, DURATION) : parseWithTable(input, DURATION, true);
export const parseFrequencyHz = (input: string): bigint => parseWithTable(input, FREQUENCY);
export const parseVoltageUv = (input: string): bigint => parseWithTable(input, VOLTAGE);
export const parseEnergyUj = (input: string): bigint => parseWithTable(input, ENERGY);

// ---------------------------------------------------------------- formatting

type Num = bigint | number;
const toNum = (v: Num) => (typeof v === 'bigint' ? Number(v) : v);

/**
 * A value in the largest unit it reaches, with up to `digits` decimals and the
 * trailing zeros trimmed: enough to tell a value from its neighbours (RAPL's
 * 1/8 W steps: 25.25 W, 15.125 W) without printing noise (28 W, not 28.000 W).
 */
function scaled(v: number, steps: ReadonlyArray<readonly [number, string]>, digits: number): string {
  const abs = Math.abs(v);
  let k = 0;
  while (k < steps.length - 1 && !(abs >= steps[k]![0])) k++;
  const pick = steps[k]!;
  const factor = pick[0];
  return `${trimZeros((v / factor).toFixed(factor === 1 ? 0 : digits))} ${pick[1]}`;
}

/** the steps of formatPower and formatDuration, made once (tables call them per cell) */
const POWER_STEPS = [[1e9, 'kW'], [1e6, 'W'], [1e3, 'mW'], [1, 'µW']] as const;
const DURATION_STEPS = [[1e6, 's'], [1e3, 'ms'], [1, 'µs']] as const;

/** "28.000" → "28", "25.250" → "25.25", "-0" → "0". */
export function trimZeros(s: string): string {
  const t = s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  return t === '-0' ? '0' : t;
}

/** Watts for budgets and notes: the same rule as formatPower (2260224 µW → "2.26 W", 712596 → "712.596 mW"). */
export function formatPowerFine(uw: number): string {
  return formatPower(uw);
}

/** 28000000 µW → "28 W"; 25250000 → "25.25 W"; 850000 → "850 mW"; 12 → "12 µW"; 0 → "0 W". */
export function formatPower(uw: Num): string {
  if (toNum(uw) === 0) return '0 W';
  return scaled(toNum(uw), POWER_STEPS, 3);
}
/** Power readings (power_uw, a measurement, not a setting), one decimal: 864712 µW → "864.7 mW". */
export function formatPowerReading(uw: Num): string {
  const v = toNum(uw);
  if (v === 0) return '0 W';
  const steps: Array<[number, string]> = [[1e9, 'kW'], [1e6, 'W'], [1e3, 'mW'], [1, 'µW']];
  const [factor, unit] = steps.find(([f]) => Math.abs(v) >= f) ?? steps[steps.length - 1]!;
  return `${(v / factor).toFixed(factor === 1 ? 0 : 1)} ${unit}`;
}
/** Energy readings, one decimal: 52649883221 µJ → "52.6 kJ" (a counter, not a setting). */
export function formatEnergy(uj: Num): string {
  const v = toNum(uj);
  const steps: Array<[number, string]> = [[1e12, 'MJ'], [1e9, 'kJ'], [1e6, 'J'], [1e3, 'mJ'], [1, 'µJ']];
  const [factor, unit] = steps.find(([f]) => Math.abs(v) >= f) ?? steps[steps.length - 1]!;
  return `${(v / factor).toFixed(factor === 1 ? 0 : 1)} ${unit}`;
}
/** 27983872 µs → "27.984 s"; 2440 → "2.44 ms"; 976 → "976 µs". */
export function formatDuration(us: Num): string {
  const v = toNum(us);
  if (Math.abs(v) >= 600e6) return `${trimZeros((v / 60e6).toFixed(1))} min`;
  return scaled(v, DURATION_STEPS, 3);
}
/** 1800000 kHz → "1.80 GHz"; 408000 → "408 MHz". */
export function formatFrequencyKhz(khz: Num): string {
  const v = toNum(khz);
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} GHz`;
  if (v >= 1e3) return `${Math.round(v / 1e3) === v / 1e3 ? (v / 1e3).toFixed(0) : (v / 1e3).toFixed(1)} MHz`;
  return `${v} kHz`;
}
/** 1100000 µV → "1100 mV". */
export function formatVoltageUv(uv: Num): string {
  const v = toNum(uv) / 1000;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)} mV`;
}

/**
 * JSON encoding of kernel integers: a number when a double holds it exactly,
 * else a string of digits (spec/cli.md "Units").
 */
export function jsonInt(v: bigint | null): number | string | null {
  if (v === null) return null;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** A millionth-based integer as an exact decimal of its base unit: 27983872 → "27.983872", 125000 → "0.125". */
export function formatMicroExact(micro: bigint): string {
  const neg = micro < 0n;
  const a = neg ? -micro : micro;
  const frac = (a % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 1_000_000n}${frac ? '.' + frac : ''}`;
}

/**
 * A power exactly as a person would type it, in the largest unit that holds it without a
 * fraction, so that parsePowerUw reads it back to the same µW (profile save):
 * 28000000 µW → "28W", 25125000 → "25125mW", 12 → "12uW".
 */
export function formatPowerInput(uw: bigint): string {
  if (uw % 1_000_000n === 0n) return `${uw / 1_000_000n}W`;
  if (uw % 1000n === 0n) return `${uw / 1000n}mW`;
  return `${uw}uW`;
}

/**
 * A duration exactly as a person would type it, in the largest unit that holds it without a
 * fraction; parseDurationUs and systemd (systemd.time(7): min, s, ms, us) both read it back
 * to the same µs (profile save, the units persist install writes):
 * 120000000 µs → "2min", 28000000 → "28s", 500000 → "500ms", 27983872 → "27983872us".
 */
export function formatDurationInput(us: bigint): string {
  if (us !== 0n && us % 60_000_000n === 0n) return `${us / 60_000_000n}min`;
  if (us % 1_000_000n === 0n) return `${us / 1_000_000n}s`;
  if (us % 1000n === 0n) return `${us / 1000n}ms`;
  return `${us}us`;
}

/** A frequency in MHz, exact, for tables of OPPs: 1008000 kHz → "1008 MHz", 1512500 → "1512.5 MHz". */
export const formatMhz = (khz: number): string => `${khz / 1000} MHz`;

/** Exact watts for two values that formatPower shows alike: 25010000 µW → "25.01 W", 125000 → "0.125 W". */
export function formatPowerExact(uw: Num): string {
  return `${formatMicroExact(typeof uw === 'bigint' ? uw : BigInt(Math.trunc(uw)))} W`;
}

/** Three significant digits, trailing zeros dropped: 1.5, 12.3, 245. */
export function shortDigits(v: number): string {
  const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Chart labels: 1500000 µW → "1.5 W", 245427 → "245 mW". */
export function formatPowerShort(uw: number): string {
  return uw >= 1e6 ? `${shortDigits(uw / 1e6)} W` : uw >= 1e3 ? `${shortDigits(uw / 1e3)} mW` : `${shortDigits(uw)} µW`;
}

/** Chart labels: 1800000 kHz → "1.8 GHz", 408000 → "408 MHz". */
export function formatFrequencyShort(khz: number): string {
  return khz >= 1e6 ? `${shortDigits(khz / 1e6)} GHz` : khz >= 1e3 ? `${shortDigits(khz / 1e3)} MHz` : `${khz} kHz`;
}

/** Energy from nanojoules: 2500000 nJ → "2.50 mJ", 1500 → "1.5 µJ". */
export function formatEnergyNj(nj: number): string {
  return Math.abs(nj) >= 1e6 ? `${(nj / 1e6).toFixed(2)} mJ` : `${(nj / 1000).toFixed(1)} µJ`;
}

// ---------------------------------------------------------------- model inputs (appended)

/**
 * A temperature in millidegrees Celsius, the thermal framework's unit: `55C`, `55.5°C`,
 * `55000mC`. Negative values are allowed (a cold start). A bare number is refused.
 */
export function parseTemperatureMc(input: string): number {
  const t = input.trim();
  const m = /^(-?)([0-9]+(?:\.[0-9]+)?)\s*(\u00b0C|C|c|mC|m\u00b0C)$/.exec(t);
  if (!m) throw usageError(`invalid temperature '${input}'`, 'use a number with a unit, e.g. 55C, 55.5°C or 55000mC');
  const [i, f = ''] = m[2]!.split('.');
  const milli = m[3] === 'mC' || m[3] === 'm°C';
  const v = milli ? scaleDecimal(i!, f, 0) : scaleDecimal(i!, f, 3);
  if (v === null) throw usageError(`invalid temperature '${input}': finer than 1 m°C`);
  return (m[1] === '-' ? -1 : 1) * Number(v);
}

/** A percentage with its sign: `60%`, `12.5%` → hundredths of a percent (6000, 1250). */
export function parsePercentBp(input: string, max = 10000): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*%$/.exec(input.trim());
  if (!m) throw usageError(`invalid percentage '${input}'`, 'write it with a % sign, e.g. 60% or 12.5%');
  const [i, f = ''] = m[1]!.split('.');
  const bp = scaleDecimal(i!, f, 2);
  if (bp === null) throw usageError(`invalid percentage '${input}': at most two decimals`);
  if (bp > BigInt(max)) throw usageError(`invalid percentage '${input}': above ${max / 100}%`);
  return Number(bp);
}

/** Energy in joules, one decimal, for a run's totals: 150 → "150.0 J" (readings use formatEnergy). */
export const formatJoules = (j: number): string => `${j.toFixed(1)} J`;

/** A temperature or its error in °C, two decimals (a controller's figures): 0.028 → "0.03 °C". */
export const formatCelsius = (c: number): string => `${c.toFixed(2)} °C`;

/** 55000 m°C → "55.0 °C" */
export function formatTemperatureMc(mc: number): string {
  return `${(mc / 1000).toFixed(1)} °C`;
}
