/**
 * From readings to samples: each pass of readings (one per watched zone, all
 * stamped with one monotonic time) becomes one sample per zone: energy over
 * the interval, average power, whether the counter wrapped, or a gap with its
 * reason. Pure: the live loop and a replay feed it the same numbers and get
 * the same samples.
 *
 * A failed read is a gap; the last good reading stays the baseline, so the
 * next good reading covers the whole span (its intervalUs says how long) and
 * no energy is lost. A delta one wrap cannot explain is a gap too, and the new
 * reading becomes the baseline.
 */
import { averagePowerUw, classifyEnergyInterval, energyFromPowerUj, type DeltaGapReason } from './delta.js';
import { RunningStats } from './stats.js';
import type { Reading, WatchZone } from './zones.js';
import { atLimit, limitUwOf } from './at-limit.js';
import type { ZoneLimit } from '../limits/effective.js';

export type GapReason = 'unreadable' | 'vanished' | 'invalid' | 'no-baseline' | DeltaGapReason;

export interface WatchSample {
  zone: WatchZone;
  /** time of the pass since the start of the watch, µs */
  tUs: bigint;
  /** the time the figures cover (since the baseline), µs; for a gap, since this zone's previous pass */
  intervalUs: bigint;
  energyUj: bigint | null;
  powerUw: bigint | null;
  wrapped: boolean;
  gap: GapReason | null;
  /** the errno of an unreadable sample */
  errno: string | null;
  /** the limit the zone was held to (µW; null: not limited, unknown, or not asked) */
  limitUw: bigint | null;
  /** drawing at least 97 % of it over the interval (watch/at-limit.ts); null: a gap, or the limit unknown or not asked */
  atLimit: boolean | null;
}

export interface TotalSample {
  tUs: bigint;
  intervalUs: bigint;
  energyUj: bigint | null;
  powerUw: bigint | null;
  /** a summed zone had a gap: no system figure for this pass */
  gap: boolean;
}

export interface PassResult {
  /** pass number: 1 for the first pass with figures (pass 0 is the baseline) */
  pass: number;
  tUs: bigint;
  samples: WatchSample[];
  total: TotalSample | null;
}

const VANISHED = new Set(['ENOENT', 'ENODEV', 'ENXIO']);

export function gapForReadError(errno: string): GapReason {
  if (VANISHED.has(errno)) return 'vanished';
  if (errno === 'invalid') return 'invalid';
  return 'unreadable';
}

export class Sampler {
  readonly stats: RunningStats[];
  readonly totalStats: RunningStats;
  /** passes ingested, the baseline pass included */
  passes = 0;
  firstTUs: bigint | null = null;
  lastTUs: bigint | null = null;
  private readonly baseValue: Array<bigint | null>;
  private readonly baseT: bigint[];
  private readonly totalSet: Set<number>;

  /**
   * @param zones the watched zones, in output order
   * @param totalIndexes indexes (into zones) of the zones summed into the system figure
   */
  constructor(
    readonly zones: WatchZone[],
    readonly totalIndexes: number[] = [],
    sparkSize = 24,
  ) {
    this.stats = zones.map(() => new RunningStats(sparkSize));
    this.totalStats = new RunningStats(sparkSize);
    this.baseValue = zones.map(() => null);
    this.baseT = zones.map(() => 0n);
    this.totalSet = new Set(totalIndexes);
  }

  /**
   * Take one pass of readings at time tUs. The first pass is the baseline and gives null.
   * `limits`, when given, is the limit each zone is held to (in zone order): each sample is
   * marked at its limit or not.
   */
  ingest(tUs: bigint, readings: readonly Reading[], limits: readonly ZoneLimit[] | null = null): PassResult | null {
    const prevT = this.lastTUs;
    this.passes++;
    this.lastTUs = tUs;
    if (prevT === null) {
      this.firstTUs = tUs;
      for (let i = 0; i < this.zones.length; i++) {
        const r = readings[i]!;
        if (typeof r === 'bigint') {
          this.baseValue[i] = r;
          this.baseT[i] = tUs;
        }
      }
      return null;
    }
    const samples: WatchSample[] = new Array(this.zones.length);
    let totalE = 0n;
    let totalP = 0n;
    let totalGap = false;
    for (let i = 0; i < this.zones.length; i++) {
      const s = this.sampleOne(i, tUs, prevT, readings[i]!);
      if (limits) {
        const l = limits[i]!;
        s.limitUw = limitUwOf(l);
        s.atLimit = atLimit(s.powerUw, l);
      }
      samples[i] = s;
      if (s.gap) this.stats[i]!.addGap();
      else this.stats[i]!.add(s.powerUw!, s.energyUj!, s.intervalUs);
      if (limits) this.stats[i]!.mark(s.limitUw, s.atLimit);
      if (this.totalSet.has(i)) {
        if (s.gap) totalGap = true;
        else {
          totalE += s.energyUj!;
          totalP += s.powerUw!;
        }
      }
    }
    let total: TotalSample | null = null;
    if (this.totalIndexes.length > 0) {
      const intervalUs = tUs - prevT;
      total = totalGap
        ? { tUs, intervalUs, energyUj: null, powerUw: null, gap: true }
        : { tUs, intervalUs, energyUj: totalE, powerUw: totalP, gap: false };
      if (totalGap) this.totalStats.addGap();
      else this.totalStats.add(totalP, totalE, intervalUs);
    }
    return { pass: this.passes - 1, tUs, samples, total };
  }

  private sampleOne(i: number, tUs: bigint, prevT: bigint, r: Reading): WatchSample {
    const zone = this.zones[i]!;
    const gap = (reason: GapReason, errno: string | null = null): WatchSample =>
      ({ zone, tUs, intervalUs: tUs - prevT, energyUj: null, powerUw: null, wrapped: false, gap: reason, errno, limitUw: null, atLimit: null });
    if (typeof r === 'string') return gap(gapForReadError(r), r === 'invalid' ? null : r);
    const before = this.baseValue[i]!;
    const beforeT = this.baseT[i]!;
    this.baseValue[i] = r;
    this.baseT[i] = tUs;
    if (before === null) return gap('no-baseline');
    const elapsed = tUs - beforeT;
    if (zone.attr === 'power_uw') {
      return { zone, tUs, intervalUs: elapsed, energyUj: energyFromPowerUj(before, r, elapsed), powerUw: r, wrapped: false, gap: null, errno: null, limitUw: null, atLimit: null };
    }
    const d = classifyEnergyInterval(before, r, elapsed, zone.maxEnergyRangeUj, zone.maxPowerUw);
    if (!d.ok) return { ...gap(d.reason), intervalUs: elapsed };
    return { zone, tUs, intervalUs: elapsed, energyUj: d.deltaUj, powerUw: averagePowerUw(d.deltaUj, elapsed), wrapped: d.wrapped, gap: null, errno: null, limitUw: null, atLimit: null };
  }

  /** duration covered from the baseline to the last pass, µs */
  get durationUs(): bigint {
    return this.firstTUs === null || this.lastTUs === null ? 0n : this.lastTUs - this.firstTUs;
  }
}
