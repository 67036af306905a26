/**
 * What a run achieved, from its trace alone (the plant's side: demand, limits, power, the
 * temperature, step by step), so a simulated run and a served one (serve.ts's trace, with real
 * processes in the loop) are judged by one function.
 */

/** The plant's side of a run, one entry per step (columns by zone). */
export interface SimTrace {
  zones: string[];
  /** each zone's maximum (the ideal counts demand up to it) */
  maxUw: number[];
  /** the start of each step, µs since the start */
  tUs: number[];
  /** the length of each step, µs */
  dtUs: number[];
  demandUw: number[][];
  limitUw: number[][];
  powerUw: number[][];
  /** limit writes seen on each zone in the step */
  writes: number[][];
  /** DTPM parent writes seen in the step */
  parentWrites: number[];
  /** the budget the zones are to keep under (for govern: the controller's own) */
  budgetUw: number[];
  /** at the end of each step, m°C; null without a thermal model */
  temperatureMc: number[] | null;
  /** govern's target in force, m°C */
  targetMc: number[] | null;
  /** what the budget bounds: the limits (balance, static), or the power drawn (govern: its limits may add up past it) */
  bounds: 'limits' | 'draw';
}

export function emptyTrace(zones: string[], maxUw: number[], thermal: boolean, target: boolean): SimTrace {
  return {
    bounds: target ? 'draw' : 'limits',
    zones, maxUw, tUs: [], dtUs: [], demandUw: zones.map(() => []), limitUw: zones.map(() => []), powerUw: zones.map(() => []),
    writes: zones.map(() => []), parentWrites: [], budgetUw: [], temperatureMc: thermal ? [] : null, targetMc: target ? [] : null,
  };
}

export interface FigureOptions {
  /** the controller's period: writes are counted per zone per period */
  intervalUs: number;
  /** budget figures are checked from this time on (default 1.5 s) */
  checkFromUs?: number;
  /** … and not within this long after the budget went down (default 1 s) */
  graceUs?: number;
  /** power above this multiple of the budget is a violation (default 1.02) */
  powerTolerance?: number;
  /** |T − target| within this is settled (default 500 m°C) */
  settleBandMc?: number;
  /** only the steps in [fromUs, untilUs) count (a served run: while the command under test ran) */
  fromUs?: number;
  untilUs?: number;
}

export interface SimFigures {
  durationS: number;
  energyJ: number;
  /** at every instant the budget or the zones' total demand (each up to its maximum), whichever is less */
  idealEnergyJ: number;
  energyRatio: number;
  /** max Σ power / budget over the checked steps */
  peakPowerRatio: number;
  /** checked steps where Σ power > tolerance × budget */
  powerOverBudgetSteps: number;
  /** checked steps where Σ limits > budget (a budget on the limits only) */
  limitsOverBudgetSteps: number;
  /** the most writes one zone took in one period (periods from t = 0: exact in sim, where the controller runs at those times) */
  maxWritesPerZonePerPeriod: number;
  /** the shortest time between two writes of one zone, s (null: no zone written twice); a served run's check of one write a period */
  minWriteGapS: number | null;
  writes: number;
  dtpmParentWrites: number;
  temperaturePeakC: number | null;
  /** mean |T − target| over the last third of the run, °C */
  meanAbsErrorC: number | null;
  /** when the run last left its band (govern: target ± settleBand; else a budget violation), s; 0: never */
  settleS: number;
}

/** The steps of a trace that begin in [fromUs, untilUs). */
export function sliceTrace(tr: SimTrace, fromUs: number, untilUs: number): SimTrace {
  let a = 0;
  while (a < tr.tUs.length && tr.tUs[a]! < fromUs) a++;
  let b = a;
  while (b < tr.tUs.length && tr.tUs[b]! < untilUs) b++;
  const cut = (v: number[]) => v.slice(a, b);
  return {
    ...tr, tUs: cut(tr.tUs), dtUs: cut(tr.dtUs), demandUw: tr.demandUw.map(cut), limitUw: tr.limitUw.map(cut), powerUw: tr.powerUw.map(cut),
    writes: tr.writes.map(cut), parentWrites: cut(tr.parentWrites), budgetUw: cut(tr.budgetUw),
    temperatureMc: tr.temperatureMc && cut(tr.temperatureMc), targetMc: tr.targetMc && cut(tr.targetMc),
  };
}

const sumAt = (cols: number[][], k: number): number => {
  let s = 0;
  for (const c of cols) s += c[k]!;
  return s;
};

export function computeFigures(trace: SimTrace, o: FigureOptions): SimFigures {
  const tr = o.fromUs !== undefined || o.untilUs !== undefined ? sliceTrace(trace, o.fromUs ?? 0, o.untilUs ?? Infinity) : trace;
  const checkFrom = o.checkFromUs ?? 1_500_000;
  const grace = o.graceUs ?? 1_000_000;
  const tol = o.powerTolerance ?? 1.02;
  const band = o.settleBandMc ?? 500;
  const n = tr.tUs.length;
  let energy = 0;
  let ideal = 0;
  let peak = 0;
  let powerOver = 0;
  let limitsOver = 0;
  let graceUntil = -1;
  let lastViolation = -1;
  for (let k = 0; k < n; k++) {
    const t = tr.tUs[k]!;
    const dt = tr.dtUs[k]! / 1e6;
    const budget = tr.budgetUw[k]!;
    // a budget the zones are told to keep to moves their limits a period later; govern's own does not
    if (k > 0 && budget < tr.budgetUw[k - 1]! && tr.bounds === 'limits') graceUntil = t + grace;
    const power = sumAt(tr.powerUw, k);
    let demand = 0;
    for (let i = 0; i < tr.zones.length; i++) demand += Math.min(tr.demandUw[i]![k]!, tr.maxUw[i]!);
    energy += power * dt;
    ideal += Math.min(budget, demand) * dt;
    const limits = sumAt(tr.limitUw, k);
    const violates = power > tol * budget || limits > budget;
    if (t >= checkFrom && t >= graceUntil) {
      if (budget > 0) peak = Math.max(peak, power / budget);
      if (power > tol * budget) powerOver++;
      if (limits > budget && tr.bounds === 'limits') limitsOver++;
    }
    if (tr.targetMc === null && violates) lastViolation = k;
  }

  // writes per zone per period (periods aligned at 0)
  let maxWrites = 0;
  let writes = 0;
  let minGap = Infinity;
  for (let i = 0; i < tr.zones.length; i++) {
    const perPeriod = new Map<number, number>();
    let lastAt = -Infinity;
    for (let k = 0; k < n; k++) {
      const w = tr.writes[i]![k]!;
      if (w === 0) continue;
      writes += w;
      minGap = Math.min(minGap, w > 1 ? 0 : tr.tUs[k]! - lastAt);
      lastAt = tr.tUs[k]!;
      const p = Math.floor(tr.tUs[k]! / o.intervalUs);
      const c = (perPeriod.get(p) ?? 0) + w;
      perPeriod.set(p, c);
      maxWrites = Math.max(maxWrites, c);
    }
  }

  let peakC: number | null = null;
  let meanAbs: number | null = null;
  const T = tr.temperatureMc;
  if (T && n > 0) {
    peakC = T.reduce((m, v) => (v > m ? v : m), -Infinity) / 1000;
    if (tr.targetMc) {
      const from = Math.floor((2 * n) / 3);
      let s = 0;
      for (let k = from; k < n; k++) s += Math.abs(T[k]! - tr.targetMc[k]!);
      meanAbs = s / (n - from) / 1000;
      for (let k = 0; k < n; k++) if (Math.abs(T[k]! - tr.targetMc[k]!) > band) lastViolation = k;
    }
  }
  const end = n > 0 ? tr.tUs[n - 1]! + tr.dtUs[n - 1]! : 0;
  return {
    durationS: n > 0 ? (end - tr.tUs[0]!) / 1e6 : 0,
    energyJ: energy / 1e6,
    idealEnergyJ: ideal / 1e6,
    energyRatio: ideal > 0 ? energy / ideal : 1,
    peakPowerRatio: peak,
    powerOverBudgetSteps: powerOver,
    limitsOverBudgetSteps: limitsOver,
    maxWritesPerZonePerPeriod: maxWrites,
    minWriteGapS: Number.isFinite(minGap) ? minGap / 1e6 : null,
    writes,
    dtpmParentWrites: tr.parentWrites.reduce((a, b) => a + b, 0),
    temperaturePeakC: peakC,
    meanAbsErrorC: meanAbs,
    settleS: lastViolation < 0 ? 0 : (tr.tUs[lastViolation]! + tr.dtUs[lastViolation]!) / 1e6,
  };
}
