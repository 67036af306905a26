/**
 * Running statistics of one zone over a watch: min / average / max power and
 * the energy used, in O(1) memory, plus a fixed-size ring of the last powers
 * for the sparkline. Nothing here grows with the number of samples.
 */
export class RunningStats {
  /** samples with a power figure */
  count = 0;
  /** gaps seen */
  gaps = 0;
  minUw: bigint | null = null;
  maxUw: bigint | null = null;
  lastUw: bigint | null = null;
  /** energy over the intervals with a figure, µJ */
  energyUj = 0n;
  /** time covered by those intervals, µs */
  coveredUs = 0n;
  /** the limit in force at the last sample (µW; null: not limited or unknown) and whether the zone was at it (watch/at-limit.ts) */
  limitUw: bigint | null = null;
  atLimitNow: boolean | null = null;
  /** samples compared with a limit in force (a figure, and a limit held), and those at the limit */
  comparedSamples = 0;
  atLimitSamples = 0;
  private readonly ring: Float64Array;
  private head = 0;
  private filled = 0;

  constructor(readonly sparkSize = 24) {
    this.ring = new Float64Array(sparkSize);
  }

  add(powerUw: bigint, energyUj: bigint, intervalUs: bigint): void {
    this.count++;
    if (this.minUw === null || powerUw < this.minUw) this.minUw = powerUw;
    if (this.maxUw === null || powerUw > this.maxUw) this.maxUw = powerUw;
    this.lastUw = powerUw;
    this.energyUj += energyUj;
    this.coveredUs += intervalUs;
    this.push(Number(powerUw));
  }

  /** the last sample's limit and mark (null: a gap, or a limit that could not be read) */
  mark(limitUw: bigint | null, atLimit: boolean | null): void {
    this.limitUw = limitUw;
    this.atLimitNow = atLimit;
    if (atLimit === null || limitUw === null) return;
    this.comparedSamples++;
    if (atLimit) this.atLimitSamples++;
  }

  addGap(): void {
    this.gaps++;
    this.lastUw = null;
    this.push(Number.NaN);
  }

  /** average power over the covered time (energy / time), µW */
  get avgUw(): bigint | null {
    if (this.coveredUs <= 0n) return null;
    return (2n * this.energyUj * 1_000_000n + this.coveredUs) / (2n * this.coveredUs);
  }

  private push(v: number): void {
    if (this.sparkSize === 0) return;
    this.ring[this.head] = v;
    this.head = (this.head + 1) % this.sparkSize;
    if (this.filled < this.sparkSize) this.filled++;
  }

  /** the last powers, oldest first (NaN for a gap) */
  recent(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.filled; i++) {
      out.push(this.ring[(this.head - this.filled + i + this.sparkSize) % this.sparkSize]!);
    }
    return out;
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of powers (NaN, a gap → a space), scaled from 0 to `top` (the caller passes
 * the larger of the maximum seen and the limit; the values' own maximum when omitted), so
 * a flat line draws flat at its height and bars of different zones compare to their limits.
 * 0 (and below) is blank; any power above 0 draws at least ▁.
 */
export function sparkline(values: number[], top?: number): string {
  let hi = top ?? 0;
  for (const v of values) if (!Number.isNaN(v) && v > hi) hi = v;
  let s = '';
  for (const v of values) {
    if (Number.isNaN(v) || v <= 0 || hi <= 0) s += ' ';
    else s += BARS[Math.min(7, Math.max(0, Math.ceil((v / hi) * 8) - 1))];
  }
  return s;
}
