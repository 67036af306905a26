/**
 * Energy-model arithmetic, with the kernel's integer rules (kernel.md §4):
 * - drivers/opp/of.c `_get_power`: power_uW = C × mV × mV × (Hz / 1e6) / 1e6
 *   (mV = µV / 1000 truncated; before 6.0 the last division was by 1e9, giving mW);
 * - kernel/power/energy_model.c `em_init_performance`: performance = capacity × f / fmax;
 * - `em_compute_costs`: cost = power × 10 / performance, walked from the fastest
 *   state down, a state whose cost is ≥ the lowest cost seen above it is inefficient.
 *   Only CPU domains get performance and cost (EAS ignores other devices).
 * All values are integers well inside 2^53, so plain numbers with Math.floor are exact.
 */

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

/** Dynamic power of one OPP in µW, exactly as `_get_power` computes it on kernels ≥ 6.0. */
export function oppPowerUw(coefficient: number, voltageUv: number, frequencyKhz: number): number {
  return Number(oppPowerRaw(coefficient, voltageUv, frequencyKhz) / 1_000_000n);
}

/** The same on kernels before 6.0: milliwatts. */
export function oppPowerMwPre60(coefficient: number, voltageUv: number, frequencyKhz: number): number {
  return Number(oppPowerRaw(coefficient, voltageUv, frequencyKhz) / 1_000_000_000n);
}

function oppPowerRaw(coefficient: number, voltageUv: number, frequencyKhz: number): bigint {
  const mV = BigInt(idiv(voltageUv, 1000));
  const mhz = BigInt(idiv(frequencyKhz * 1000, 1_000_000));
  // u64 product: C × mV² × MHz can pass 2^53 for big coefficients, so bigint here
  return BigInt(coefficient) * mV * mV * mhz;
}

/** performance = capacity × f / fmax (integer division). */
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
 * em_compute_costs(): from the fastest state down, each state's cost; a state whose
 * cost is ≥ the lowest cost seen above it is inefficient.
 */
function markCosts(states: PerfState[], costOf: (s: PerfState) => number): PerfState[] {
  let prevCost = Infinity;
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i]!;
    s.cost = costOf(s);
    if (s.cost >= prevCost) s.inefficient = true;
    else prevCost = s.cost;
  }
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

/** Before 6.0 the per-state power was mW and the ceiling EM_MAX_POWER was 0xFFFF (kernel.md §4). */
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

/**
 * The table a kernel before 6.0 built: power in mW (C·V²·f / 1e9, or the µW value / 1000
 * when power was given), cost = power × fmax / f, inefficient states by the same walk.
 * Performance is shown as capacity × f / fmax (those kernels derived it the same way at use).
 */
export function buildPerfStatesPre60(rows: ReadonlyArray<PerfRow>, opts: { capacity?: number; cpu?: boolean } = {}): PerfState[] {
  const cpu = opts.cpu ?? true;
  const fmax = rows.length ? rows[rows.length - 1]!.frequencyKhz : 1;
  const states = statesOf(rows, opts.capacity ?? 1024, cpu, (r) => r.powerMw ?? idiv(r.powerUw, 1000));
  // cost = power × fmax / f, in mW
  return cpu ? markCosts(states, (st) => idiv(st.powerMw! * fmax, st.frequencyKhz)) : states;
}
