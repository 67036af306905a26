/**
 * The energy model, as kernel/power/energy_model.c builds it:
 * - `em_init_performance` (v6.9+): performance = capacity × f / fmax;
 * - `em_compute_costs` (v6.9+; inefficient flags from v5.16): cost = power × 10 / performance, walked
 *   from the fastest state down, a state whose cost is ≥ the lowest cost seen above it is inefficient.
 *   From 6.9 only CPU domains get performance and cost (EAS ignores other devices); before, every
 *   domain, a GPU's too, got a cost and inefficient flags.
 * - before 6.9: cost = power × fmax / f, power in mW before 6.0 (buildEraStates).
 * - `em_cpu_energy` (include/linux/energy_model.h): emCpuEnergy below.
 * Power of an OPP from the device tree is drivers/opp/of.c's (opp.ts).
 * All values are integers well inside 2^53, so plain numbers with Math.floor are exact.
 */
import { usageError } from '../errors.js';
import { oppPowerMwPre60, oppPowerUw } from './opp.js';


export interface Opp {
  frequencyKhz: number;
  /** target voltage, µV (null when the table gives power directly) */
  voltageUv: number | null;
  /** power given directly (opp-microwatt, a CSV/JSON table, debugfs) */
  powerUw?: number | null;
}

export interface PerfState {
  frequencyKhz: number;
  voltageUv: number | null;
  /** µW (kernel ≥ 6.0) */
  powerUw: number;
  /** what a pre-6.0 kernel computed from the same OPP, mW (null when power was given) */
  powerMw: number | null;
  performance: number;
  cost: number;
  inefficient: boolean;
}

/** The kernel's per-state power ceiling (EM_MAX_POWER, 64 W in µW). */
export const EM_MAX_POWER_UW = 64_000_000;

const idiv = (a: number, b: number) => Math.floor(a / b);

/** em_init_performance() (v6.9+): performance = capacity × f / fmax (integer division). */
export function performanceOf(capacity: number, frequencyKhz: number, fmaxKhz: number): number {
  return idiv(capacity * frequencyKhz, fmaxKhz);
}

type PerfRow = { frequencyKhz: number; powerUw: number; voltageUv?: number | null; powerMw?: number | null };

/** The states with performance = capacity × f / fmax (0 for devices), cost still to compute. */
function statesOf(rows: ReadonlyArray<PerfRow>, capacity: number, cpu: boolean, powerMw: (r: PerfRow) => number | null): PerfState[] {
  const fmax = rows.length ? rows[rows.length - 1]!.frequencyKhz : 1;
  return rows.map((r) => ({
    frequencyKhz: r.frequencyKhz,
    voltageUv: r.voltageUv ?? null,
    powerUw: r.powerUw,
    powerMw: powerMw(r),
    performance: cpu ? performanceOf(capacity, r.frequencyKhz, fmax) : 0,
    cost: 0,
    inefficient: false,
  }));
}

/**
 * em_compute_costs() (v5.16+): from the fastest state down, a state whose cost is ≥ the lowest
 * cost seen above it is inefficient (a faster state does the work for less energy).
 */
export function inefficientStates(costs: readonly number[]): boolean[] {
  const out = new Array<boolean>(costs.length).fill(false);
  let prevCost = Infinity;
  for (let i = costs.length - 1; i >= 0; i--) {
    if (costs[i]! >= prevCost) out[i] = true;
    else prevCost = costs[i]!;
  }
  return out;
}

/** em_compute_costs(): each state's cost, then the inefficiency walk. */
function markCosts(states: PerfState[], costOf: (s: PerfState) => number): PerfState[] {
  for (const s of states) s.cost = costOf(s);
  const ineff = inefficientStates(states.map((s) => s.cost));
  states.forEach((s, i) => { if (ineff[i]) s.inefficient = true; });
  return states;
}

/**
 * Performance, cost and inefficiency for a table of (frequency, power) sorted by
 * frequency. `cpu` false gives performance and cost 0 and no inefficient state,
 * as the kernel does for devices other than CPUs.
 */
export function buildPerfStates(rows: ReadonlyArray<PerfRow>, opts: { capacity?: number; cpu?: boolean } = {}): PerfState[] {
  const cpu = opts.cpu ?? true;
  const states = statesOf(rows, opts.capacity ?? 1024, cpu, (r) => r.powerMw ?? null);
  // cost = power × 10 / performance (CPU domains only)
  return cpu ? markCosts(states, (st) => (st.performance > 0 ? idiv(st.powerUw * 10, st.performance) : 0)) : states;
}

/** The kernel's table for a device-tree OPP list: power from C·V²·f, then performance and cost. */
export function emFromOpps(opps: Opp[], coefficient: number, opts: { capacity?: number; cpu?: boolean } = {}): PerfState[] {
  return buildPerfStates(
    opps.map((o) => {
      if (o.powerUw != null) return { frequencyKhz: o.frequencyKhz, powerUw: o.powerUw, voltageUv: o.voltageUv, powerMw: null };
      const v = o.voltageUv ?? 0;
      return {
        frequencyKhz: o.frequencyKhz,
        voltageUv: v,
        powerUw: oppPowerUw(coefficient, v, o.frequencyKhz),
        powerMw: oppPowerMwPre60(coefficient, v, o.frequencyKhz),
      };
    }),
    opts,
  );
}

// ------------------------------------------------------------- table checks and the pre-6.0 rules

/** Before 6.0 the per-state power was mW and the ceiling EM_MAX_POWER was 0xFFFF (energy_model.h, v5.9–v5.19). */
export const EM_MAX_POWER_MW_PRE60 = 0xffff;

/** A row of a table before the kernel accepts it; `label` names it in errors ("row 3", "opp-1800000000"). */
export interface EmRow {
  frequencyKhz: number;
  powerUw: number;
  voltageUv?: number | null;
  powerMw?: number | null;
  label?: string;
}

/** Why em_create_perf_table() would refuse a row, or null when the table is acceptable. */
export function emTableProblem(rows: readonly EmRow[]): { index: number; message: string } | null {
  if (rows.length === 0) return { index: -1, message: 'the table has no states' };
  let prev = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const name = r.label ?? `state ${i}`;
    if (!Number.isInteger(r.frequencyKhz) || r.frequencyKhz <= 0) {
      return { index: i, message: `${name}: frequency ${r.frequencyKhz} kHz is not a positive whole number of kHz` };
    }
    if (r.frequencyKhz <= prev) {
      return { index: i, message: `${name}: frequency ${r.frequencyKhz} kHz is not above the previous state's ${prev} kHz (frequencies must increase)` };
    }
    prev = r.frequencyKhz;
    if (!Number.isFinite(r.powerUw) || r.powerUw <= 0) {
      return { index: i, message: `${name}: power ${r.powerUw} µW is not positive (the kernel refuses a zero power)` };
    }
    if (r.powerUw > EM_MAX_POWER_UW) {
      return { index: i, message: `${name}: power ${r.powerUw} µW is above the kernel's per-state maximum EM_MAX_POWER (${EM_MAX_POWER_UW} µW, 64 W)` };
    }
  }
  return null;
}

// ------------------------------------------------------------------ kernel eras

/**
 * Which energy_model.c a kernel runs, by version (read against v6.1 and v6.12; the 5.x eras are
 * reasoned from those two and from the commits that changed them, not compiled):
 * - ≥ 6.9: power µW; em_init_performance() stores performance = capacity × f / fmax and
 *   em_compute_costs() makes cost = power × 10 / performance;
 * - 6.0–6.8: power µW; cost = fmax × power / f (em_create_perf_table in v6.1);
 * - 5.15–5.19: power mW; cost = fmax × em_scale_power(power) / f, em_scale_power(p) = p × 1000
 *   on 64-bit kernels (energy_model.h), p on 32-bit;
 * - before 5.15: power mW, cost = fmax × power / f (no scaling);
 * - inefficient states are flagged from 5.16 on; before that no state is marked;
 * - before 6.9 em_create_perf_table() costs every domain, a device's (a GPU) too; from 6.9
 *   em_compute_costs() returns early for a device (a fix applied for 6.16 and taken into the
 *   stable 6.12 read here; 6.9 kernels without it divide by the device's performance of 0);
 * - the per-state power ceiling EM_MAX_POWER is 64 000 000 µW from 6.0, 0xFFFF mW before.
 */
export interface KernelEra {
  major: number;
  minor: number;
  /** as the user gave it, or `6.12` for the default */
  name: string;
  /** 32-bit kernel: em_scale_power() does not scale (5.15–5.19) */
  bits32?: boolean;
  /** a debugfs dump of an older kernel shown as that kernel wrote it */
  asDumped?: boolean;
}

export const DEFAULT_ERA: KernelEra = { major: 6, minor: 12, name: '6.12' };

const atLeast = (e: KernelEra, major: number, minor: number) => e.major > major || (e.major === major && e.minor >= minor);

export const eraRules = (e: KernelEra) => ({
  microwatts: atLeast(e, 6, 0),
  costByPerformance: atLeast(e, 6, 9),
  scalePower: atLeast(e, 5, 15) && !atLeast(e, 6, 0) && !e.bits32,
  inefficientFlags: atLeast(e, 5, 16),
  maxPower: atLeast(e, 6, 0) ? EM_MAX_POWER_UW : 0xffff,
  capacityKhz: atLeast(e, 6, 8),
});

/** A one-line statement of the era's rules, for output. */
export function eraSummary(e: KernelEra): string {
  const r = eraRules(e);
  if (e.asDumped) return `a kernel ${e.name}: power in ${r.microwatts ? 'µW' : 'mW'}, costs and flags as that kernel wrote them`;
  const cost = r.costByPerformance ? 'cost = 10·power / performance' : r.scalePower ? 'cost = fmax·power·1000 / f (em_scale_power)' : 'cost = fmax·power / f';
  return `kernel ${e.name}: power in ${r.microwatts ? 'µW' : 'mW'}, ${cost}, ${r.inefficientFlags ? 'inefficient states flagged' : 'no inefficient flags'}`;
}

/**
 * `6.9`, `5.15.0-91-generic`, `v6.1`, `6.12.117+deb13-arm64` (what uname -r prints), `current`
 * (6.12) and `pre-6.0` (5.19, the last mW kernel). Null when it is none of these.
 */
export function parseKernelEra(v: string): KernelEra | null {
  const t = v.trim();
  if (t === 'current') return DEFAULT_ERA;
  if (t === 'pre-6.0') return { major: 5, minor: 19, name: '5.19' };
  const m = /^v?([0-9]{1,2})\.([0-9]{1,3})(?:[.\-+~_][0-9A-Za-z.+~_-]*)?$/.exec(t);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 5 || major > 99) return null;
  return { major, minor, name: `${major}.${minor}` };
}

/** What em_create_perf_table() refuses in an era, or null (the power is in the era's unit). */
export function emTableProblemEra(rows: readonly EmRow[], era: KernelEra): { index: number; message: string } | null {
  const r = eraRules(era);
  const first = emTableProblem(rows.map((x) => ({ ...x, powerUw: 1 })));
  if (first) return first;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const name = row.label ?? `state ${i}`;
    const p = r.microwatts ? row.powerUw : row.powerMw ?? Math.floor(row.powerUw / 1000);
    const unit = r.microwatts ? 'µW' : 'mW';
    if (!Number.isFinite(p) || p <= 0) return { index: i, message: `${name}: power ${p} ${unit} is not positive (em_create_perf_table: "EM: invalid power")` };
    if (p > r.maxPower) return { index: i, message: `${name}: power ${p} ${unit} is above EM_MAX_POWER (${r.maxPower} ${unit}) of kernel ${era.name} (em_create_perf_table: "EM: invalid power")` };
  }
  return null;
}

/**
 * The table a kernel of `era` builds: powers in the era's unit, cost by the era's formula,
 * inefficient flags from 5.16; a device gets no cost from 6.9 and the CPU formula before.
 * Performance is capacity × f / fmax for CPUs (kernels before 6.9 derived it the same way at use).
 * A CPU state whose performance computes to 0 (≥ 6.9) is refused: em_compute_costs() would divide by it.
 */
export function buildEraStates(rows: ReadonlyArray<PerfRow & { label?: string }>, opts: { capacity?: number; cpu?: boolean; era: KernelEra }): PerfState[] {
  const cpu = opts.cpu ?? true;
  const r = eraRules(opts.era);
  const fmax = rows.length ? rows[rows.length - 1]!.frequencyKhz : 1;
  const states = statesOf(rows, opts.capacity ?? 1024, cpu, (x) => x.powerMw ?? idiv(x.powerUw, 1000));
  if (!cpu && r.costByPerformance) return states;
  for (const s of states) {
    if (r.costByPerformance) {
      if (s.performance === 0) {
        const i = states.indexOf(s);
        throw new PerformanceZeroError(`${rows[i]!.label ?? `state ${i}`} (${s.frequencyKhz} kHz): performance computes to 0 (capacity ${opts.capacity ?? 1024} × ${s.frequencyKhz} / ${fmax} kHz): em_compute_costs() would divide by zero`);
      }
      s.cost = idiv(s.powerUw * 10, s.performance);
    } else if (r.microwatts) {
      s.cost = Number((BigInt(fmax) * BigInt(s.powerUw)) / BigInt(s.frequencyKhz));
    } else {
      s.cost = Number((BigInt(fmax) * BigInt(s.powerMw! * (r.scalePower ? 1000 : 1))) / BigInt(s.frequencyKhz));
    }
  }
  if (r.inefficientFlags) {
    const ineff = inefficientStates(states.map((s) => s.cost));
    states.forEach((s, i) => { s.inefficient = ineff[i]!; });
  }
  return states;
}

/** A table the kernel cannot take because a performance is 0 (a message naming the state). */
export class PerformanceZeroError extends Error {}

// ------------------------------------------------------------------ em_cpu_energy

/**
 * em_cpu_energy(): the energy the scheduler (EAS) expects a performance domain to use
 * for given per-CPU utilisations (include/linux/energy_model.h; current rules v6.9+, the 6.0–6.8 pick alongside).
 *
 * Current kernels (≥ 6.9, em_cpu_energy after commit 1b600da51073): max_util gets 25 % headroom (util + util/4, as schedutil's
 * map_util_perf()), clamped to the CPU capacity; the state is the first *efficient* one whose
 * performance ≥ that; energy = cost × Σutil, with cost = power × 10 / performance.
 * On 6.0–6.8 the state was picked by frequency (f ≥ max_util × fmax / capacity) and
 * energy = cost × Σutil / capacity with cost = power × fmax / f.
 * Both estimates, divided back to µW, are the domain's average power at those utilisations.
 */
export interface StatePick {
  index: number;
  frequencyKhz: number;
  powerUw: number;
  cost: number;
  /** states that met the demand first but were skipped as inefficient */
  skipped: number[];
  /** the kernel's raw figure */
  energy: number;
  /** the same as an average power of the domain, µW */
  estimateUw: number;
}

export interface EnergyEstimate {
  capacity: number;
  utils: number[];
  maxUtil: number;
  /** max_util + max_util/4, clamped to capacity */
  maxUtilHeadroom: number;
  sumUtil: number;
  current: StatePick;
  pre69: StatePick & { targetFrequencyKhz: number };
}

/** util + util >> 2: schedutil's 25 % headroom */
export const withHeadroom = (util: number) => util + (util >> 2);

/** First state at or above `meets`, skipping inefficient ones; the last state when none meets it. */
function pick(states: PerfState[], meets: (s: PerfState) => boolean, inefficient: (i: number) => boolean, skipInefficient: boolean) {
  const skipped: number[] = [];
  for (let i = 0; i < states.length; i++) {
    if (!meets(states[i]!)) continue;
    if (skipInefficient && inefficient(i)) { skipped.push(i); continue; }
    return { index: i, skipped };
  }
  return { index: states.length - 1, skipped };
}

export function emCpuEnergy(
  states: PerfState[],
  utils: number[],
  opts: { capacity: number; skipInefficient?: boolean; cpus?: number | null },
): EnergyEstimate {
  const capacity = opts.capacity;
  const skip = opts.skipInefficient ?? true;
  if (states.length === 0) throw usageError('the domain has no states');
  if (utils.length === 0) throw usageError('no utilisation given', 'one value per CPU of the domain, 0 to the capacity');
  if (opts.cpus != null && utils.length > opts.cpus) {
    throw usageError(`${utils.length} utilisations for a domain of ${opts.cpus} CPUs`, 'give one value per CPU of the domain');
  }
  utils.forEach((u, i) => {
    if (!Number.isInteger(u) || u < 0) throw usageError(`utilisation #${i + 1} '${u}' is not a whole number ≥ 0`);
    if (u > capacity) throw usageError(`utilisation #${i + 1} is ${u}, above the CPU capacity ${capacity}`, `utilisation runs from 0 to the CPU capacity, here ${capacity}`);
  });
  const maxUtil = Math.max(...utils);
  const sumUtil = utils.reduce((a, b) => a + b, 0);
  const maxUtilHeadroom = Math.min(withHeadroom(maxUtil), capacity);

  // current: by performance, cost = power × 10 / performance (already in the table)
  const c = pick(states, (s) => s.performance >= maxUtilHeadroom, (i) => states[i]!.inefficient, skip);
  const cs = states[c.index]!;
  const energy = cs.cost * sumUtil;
  const current: StatePick = { index: c.index, frequencyKhz: cs.frequencyKhz, powerUw: cs.powerUw, cost: cs.cost, skipped: c.skipped, energy, estimateUw: idiv(energy, 10) };

  // 6.0–6.8: by frequency, cost = power × fmax / f, inefficiency from that cost
  const fmax = states[states.length - 1]!.frequencyKhz;
  const oldCost = states.map((s) => idiv(s.powerUw * fmax, s.frequencyKhz));
  const oldIneff = inefficientStates(oldCost);
  const targetFrequencyKhz = idiv(maxUtilHeadroom * fmax, capacity);
  const o = pick(states, (s) => s.frequencyKhz >= targetFrequencyKhz, (i) => oldIneff[i]!, skip);
  const os = states[o.index]!;
  const oldEnergy = idiv(oldCost[o.index]! * sumUtil, capacity);
  const pre69 = { index: o.index, frequencyKhz: os.frequencyKhz, powerUw: os.powerUw, cost: oldCost[o.index]!, skipped: o.skipped, energy: oldEnergy, estimateUw: oldEnergy, targetFrequencyKhz };
  return { capacity, utils, maxUtil, maxUtilHeadroom, sumUtil, current, pre69 };
}
