/**
 * The balance loop, one period at a time, on any clock: the caller passes the time in (the
 * command: the monotonic clock; sim and the tests: a virtual one) and gets back a record of
 * what was read, decided and written. The live view, NDJSON, the report, the plot and the tests
 * all read these records; nothing is computed twice.
 *
 * Each period:
 * 1. power: each zone's reading (energy_uj through the watch sampler's wrap-proof deltas, or
 *    power_uw), opened anew for every read: the kernel (and a simulated plant) replaces it;
 * 2. the limits in force, read back; one that differs from what this loop last read back was
 *    changed by another program: the zone is released (recorded, never written or restored
 *    again) and its limit counts against the budget of the others. Two exceptions, the period
 *    right after a write: a value between the zone's minimum and the request is the kernel
 *    settling the request (a DTPM leaf stores the power of the state it chose); the value from
 *    before the write is the write lost (a simulated plant replaced the file over it): the
 *    allocation writes it again;
 * 3. the budget (budget.ts): fixed, a budget file, or govern's controller;
 * 4. the allocation (allocate.ts) and its writes, lowered limits first, each read back.
 * `stop()` writes back the limits found at the start, except on released zones.
 */
import { SysfsError } from '../errors.js';
import type { Source } from '../source/types.js';
import { Sampler } from '../watch/sampler.js';
import { parseReading, readPass, type Reading } from '../watch/zones.js';
import { allocate, classify, DEFAULT_ALLOC_PARAMS, minimumBudgetUw, planWrites, type AllocParams, type AllocZone, type Allocation, type ZoneState } from './allocate.js';
import type { BudgetReading, BudgetSource } from './budget.js';
import type { BalanceZone } from './zones.js';

export interface ControllerOptions {
  source: Source;
  zones: BalanceZone[];
  budget: BudgetSource;
  params?: AllocParams;
  /** decide and record, write nothing */
  dryRun?: boolean;
}

/** saturated, slack, unknown (no reading): a managed zone; released: changed by another program, left alone */
export type ZoneRecordState = ZoneState | 'released';

export interface ZoneRecord {
  id: string;
  name: string | null;
  state: ZoneRecordState;
  /** power over the period, µW (null: no reading) */
  powerUw: number | null;
  /** the limit in force when the period began (null: unreadable) */
  limitUw: number | null;
  /** what the allocation wanted (null: released) */
  targetUw: number | null;
  /** the limit once the period's writes are made, as read back */
  newLimitUw: number | null;
  /** the change was below the hysteresis threshold: not written */
  held: boolean;
}

export interface WriteRecord {
  id: string;
  path: string;
  fromUw: number;
  toUw: number;
  lower: boolean;
  /** what the kernel stored (null: dry run, failed write, unreadable) */
  readBackUw: number | null;
  /** the write's errno when it failed */
  errno: string | null;
}

export type BalanceEvent =
  | { kind: 'external-change'; id: string; expectedUw: number; foundUw: number }
  | { kind: 'kernel-settled'; id: string; requestedUw: number; storedUw: number }
  | { kind: 'write-lost'; id: string; requestedUw: number; storedUw: number }
  | { kind: 'limit-unreadable'; id: string; errno: string }
  | { kind: 'power-gap'; id: string; reason: string }
  | { kind: 'write-failed'; id: string; errno: string }
  | { kind: 'raises-held'; because: string }
  | { kind: 'budget-below-minimum'; budgetUw: number; minimumUw: number };

export type PeriodReason = 'initial' | 'steady' | 'rebalance' | 'budget' | 'restore';

export interface PeriodRecord {
  /** 0: the decision taken at the start; a stop's restore is numbered after the last period */
  period: number;
  /** time since the start, µs */
  tUs: number;
  /** the wall clock, ms since the epoch */
  wallMs: number;
  /** why writes were made (steady: none) */
  reason: PeriodReason;
  budget: BudgetReading & {
    /** what the managed zones share: the budget less the limits of released zones */
    availableUw: number;
    /** Σ minimum of the managed zones */
    minimumUw: number;
  };
  /** Σ power of all zones (null when one had no reading) */
  totalPowerUw: number | null;
  /** Σ limits of all zones once the writes are made */
  sumLimitsUw: number;
  /** budget left after the grants, spread as headroom */
  headroomUw: number;
  zones: ZoneRecord[];
  writes: WriteRecord[];
  events: BalanceEvent[];
  dryRun: boolean;
}

interface ZoneRuntime {
  zone: BalanceZone;
  managed: boolean;
  /** the limit found at the start (restored on stop) */
  initialUw: number;
  /** the limit this loop believes in force: read at the start, read back after its writes */
  knownUw: number;
  /** what it last asked for */
  requestedUw: number;
  /** the period of its last write (-1: none), and the limit before it */
  wrotePeriod: number;
  beforeWriteUw: number;
  /** its draw the last two periods, while it had slack (null: saturated, unknown, or no reading) */
  lastSlackUw: number | null;
  lastSlack2Uw: number | null;
  /** how much its draw moves from one period to the next while it has slack: mean |Δ|, µW */
  jitterUw: number;
  /** an energy counter's first half of the period (observe()): its energy and how long it took */
  firstHalf: { energyUj: bigint; intervalUs: bigint } | null;
}

/**
 * A counter's power over the second half of the period is used when it differs from the power
 * over the whole period by more than this fraction (of the larger): the demand moved, and the
 * second half says where to. Below it the difference is the measurement's own noise (a plant's
 * step published a few ms late is ±5 % over 100 ms, ±2.5 % over 200 ms), and the whole period,
 * the steadier figure, is used.
 */
export const MOVED_FRACTION = 0.1;

/** A decision taken, its writes not yet all made (the live runner pauses between lowered and raised writes). */
export interface Decision {
  record: PeriodRecord;
  allocation: Allocation | null;
  /** a lowered write failed: raising now could take the sum past the budget */
  holdRaises: boolean;
}

const parseLimit = (r: { ok: true; text: string } | { ok: false; errno: string }): number | string => {
  if (!r.ok) return r.errno;
  const v = parseReading(r.text);
  return typeof v === 'bigint' ? Number(v) : 'invalid';
};

export class BalanceController {
  readonly zones: readonly BalanceZone[];
  private readonly rt: ZoneRuntime[];
  /** one sampler a zone: each zone's reading may carry its own time (run.ts reads counters until they step) */
  private readonly samplers: Sampler[];
  private readonly params: AllocParams;
  private period = 0;
  private lastBudgetUw: number | null = null;
  private lastBudget: BudgetReading | null = null;
  private started = false;

  constructor(private readonly o: ControllerOptions) {
    this.zones = o.zones;
    this.params = o.params ?? DEFAULT_ALLOC_PARAMS;
    this.samplers = o.zones.map((z) => new Sampler([z.reading]));
    this.rt = o.zones.map((zone) => {
      const v = parseLimit(o.source.read(zone.limitPath));
      if (typeof v === 'string') throw new SysfsError(v === 'invalid' ? 'EINVAL' : v, zone.limitPath, `${zone.limitPath}: the limit in force cannot be read (${v})`);
      return { zone, managed: true, initialUw: v, knownUw: v, requestedUw: v, wrotePeriod: -1, beforeWriteUw: v, lastSlackUw: null, lastSlack2Uw: null, jitterUw: 0, firstHalf: null };
    });
  }

  /** The tree the zones are read from and written to. */
  get source(): Source {
    return this.o.source;
  }

  /** Read every zone's power attribute once (one open/read/close each). */
  readPowers(): Reading[] {
    return readPass(this.o.source, this.o.zones.map((z) => z.reading));
  }

  /**
   * Readings taken between two periods (run.ts: half an interval before the next): the next
   * period's power is measured from them, so it is the power of the period's second half.
   */
  observe(readings: Reading[], readAtUs: readonly number[]): void {
    this.samplers.forEach((s, i) => {
      const pass = s.ingest(BigInt(Math.round(readAtUs[i]!)), [readings[i]!]);
      const sample = pass?.samples[0];
      this.rt[i]!.firstHalf = this.o.zones[i]!.reading.attr === 'energy_uj' && sample && !sample.gap
        ? { energyUj: sample.energyUj!, intervalUs: sample.intervalUs } : null;
    });
  }

  /** The limits found at the start, by zone id. */
  get initialLimits(): Map<string, number> {
    return new Map(this.rt.map((r) => [r.zone.id, r.initialUw]));
  }

  /** One whole period: decide, write (lowered first), read back, record. */
  step(tUs: number, readings: Reading[], wallMs: number, readAtUs?: readonly number[]): PeriodRecord {
    const d = this.decide(tUs, readings, wallMs, readAtUs);
    this.write(d, 'lower');
    this.write(d, 'raise');
    return this.finish(d);
  }

  /**
   * Steps 1–4 up to the allocation; the writes come from write(). `readAtUs`: the time each
   * reading holds, when it is not `tUs` (an energy counter's last step, run.ts readCountersTimed).
   */
  decide(tUs: number, readings: Reading[], wallMs: number, readAtUs?: readonly number[]): Decision {
    const events: BalanceEvent[] = [];
    const powers = this.powers(tUs, readings, events, readAtUs);
    const period = this.started ? ++this.period : 0;
    this.started = true;

    const inForce: Array<number | null> = this.rt.map((r) => {
      const v = parseLimit(this.o.source.read(r.zone.limitPath));
      if (typeof v === 'string') {
        if (r.managed) events.push({ kind: 'limit-unreadable', id: r.zone.id, errno: v === 'invalid' ? 'EINVAL' : v });
        return null;
      }
      if (r.managed && v !== r.knownUw) {
        const justWritten = r.wrotePeriod === period - 1;
        if (justWritten && v === r.beforeWriteUw) {
          // the limit from before the write is back: the write was lost (a file replaced over it), not another program's
          events.push({ kind: 'write-lost', id: r.zone.id, requestedUw: r.requestedUw, storedUw: v });
          r.requestedUw = v;
        } else if (justWritten && v <= r.requestedUw && v >= r.zone.minUw) {
          events.push({ kind: 'kernel-settled', id: r.zone.id, requestedUw: r.requestedUw, storedUw: v });
        } else {
          events.push({ kind: 'external-change', id: r.zone.id, expectedUw: r.knownUw, foundUw: v });
          r.managed = false;
        }
        r.knownUw = v;
      }
      return v;
    });

    // managed zones with a readable limit take part; the others' limits count against the budget
    const part = this.rt.map((r, i) => r.managed && inForce[i] !== null);
    const outsideUw = this.rt.reduce((s, r, i) => (part[i] ? s : s + (r.managed ? r.knownUw : inForce[i] ?? r.knownUw)), 0);
    const allocZones: AllocZone[] = [];
    this.rt.forEach((r, i) => {
      this.trackJitter(r, powers[i]!);
      if (!part[i]) return;
      allocZones.push({
        id: r.zone.id, minUw: r.zone.minUw, maxUw: r.zone.maxUw, powerUw: powers[i]!, limitUw: r.knownUw,
        requestedUw: r.requestedUw, weight: r.zone.weight, quantumUw: r.zone.quantumUw, levelsUw: r.zone.levelsUw ?? undefined, jitterUw: r.jitterUw,
      });
    });
    const minimumUw = minimumBudgetUw(allocZones);
    const maximumUw = allocZones.reduce((s, z) => s + z.maxUw, 0);
    const managedPower = allocZones.every((z) => z.powerUw !== null) ? allocZones.reduce((s, z) => s + z.powerUw!, 0) : null;
    const saturated = allocZones.some((z) => classify(z, this.params.saturation) !== 'slack');
    const reading = this.o.budget.next({ tUs, wallMs, minimumUw, maximumUw, powerUw: managedPower, saturated });
    const availableUw = Math.max(0, reading.budgetUw - outsideUw);
    if (availableUw < minimumUw) events.push({ kind: 'budget-below-minimum', budgetUw: availableUw, minimumUw });
    // govern's budget is the power to dissipate; the others' bound the limits
    const allocation = allocZones.length > 0 ? allocate(allocZones, availableUw, this.params, this.o.budget.kind === 'govern' ? 'draw' : 'limits') : null;
    const byId = new Map(allocation?.zones.map((z) => [z.id, z]) ?? []);

    const total = powers.every((p) => p !== null) ? powers.reduce((s: number, p) => s + p!, 0) : null;
    const zones: ZoneRecord[] = this.rt.map((r, i) => {
      const a = byId.get(r.zone.id);
      return {
        id: r.zone.id, name: r.zone.name, state: a ? a.state : r.managed ? 'unknown' : 'released', powerUw: powers[i]!,
        limitUw: inForce[i]!, targetUw: a ? a.targetUw : null, newLimitUw: inForce[i] ?? r.knownUw, held: a ? a.held : false,
      };
    });
    const budgetChanged = this.lastBudgetUw !== null && this.lastBudgetUw !== reading.budgetUw;
    this.lastBudgetUw = reading.budgetUw;
    this.lastBudget = reading;
    const record: PeriodRecord = {
      period, tUs, wallMs, reason: period === 0 ? 'initial' : budgetChanged ? 'budget' : 'rebalance',
      budget: Object.assign(reading, { availableUw, minimumUw }),
      totalPowerUw: total, sumLimitsUw: 0, headroomUw: allocation?.headroomUw ?? 0,
      zones, writes: [], events, dryRun: this.o.dryRun === true,
    };
    return { record, allocation, holdRaises: false };
  }

  /**
   * The draw's own noise while the zone has slack (saturated, it is cut at the limit and says
   * nothing): the mean |second difference| / 2 over the last periods (a quarter of the way each
   * period), which a steady ramp leaves at 0; a step of more than a quarter of the draw is the
   * demand changing, not noise, and is left out.
   */
  private trackJitter(r: ZoneRuntime, powerUw: number | null): void {
    const slack = powerUw !== null && classify({ powerUw, limitUw: r.knownUw }, this.params.saturation) === 'slack';
    if (slack && r.lastSlackUw !== null && r.lastSlack2Uw !== null) {
      const d2 = Math.abs(powerUw - 2 * r.lastSlackUw + r.lastSlack2Uw) / 2;
      if (d2 <= powerUw / 4) r.jitterUw += (d2 - r.jitterUw) / 4;
    }
    r.lastSlack2Uw = slack ? r.lastSlackUw : null;
    r.lastSlackUw = slack ? powerUw : null;
  }

  /** Make the decision's lowered (or raised) writes, each read back. */
  write(d: Decision, which: 'lower' | 'raise'): void {
    if (!d.allocation) return;
    if (which === 'raise' && d.holdRaises) return;
    for (const w of d.allocation.writes) {
      if (w.lower !== (which === 'lower')) continue;
      const i = this.rt.findIndex((r) => r.zone.id === w.id);
      const wr = this.writeOne(this.rt[i]!, w.fromUw, w.toUw, d.record.period);
      d.record.writes.push(wr);
      if (wr.errno !== null) {
        d.record.events.push({ kind: 'write-failed', id: w.id, errno: wr.errno });
        if (w.lower && !d.holdRaises) {
          d.holdRaises = true;
          d.record.events.push({ kind: 'raises-held', because: w.id });
        }
      }
      d.record.zones[i]!.newLimitUw = this.rt[i]!.knownUw;
    }
  }

  private writeOne(r: ZoneRuntime, fromUw: number, toUw: number, period: number): WriteRecord {
    const w: WriteRecord = { id: r.zone.id, path: r.zone.limitPath, fromUw, toUw, lower: toUw < fromUw, readBackUw: null, errno: null };
    if (this.o.dryRun) return w;
    try {
      this.o.source.write(r.zone.limitPath, `${toUw}\n`);
    } catch (err) {
      if (!(err instanceof SysfsError)) throw err;
      w.errno = err.errno;
      return w;
    }
    const back = parseLimit(this.o.source.read(r.zone.limitPath));
    r.beforeWriteUw = fromUw;
    r.requestedUw = toUw;
    r.knownUw = typeof back === 'number' ? back : toUw;
    r.wrotePeriod = period;
    if (typeof back === 'number') w.readBackUw = back;
    return w;
  }

  /** The record, once the writes are made. */
  finish(d: Decision): PeriodRecord {
    const rec = d.record;
    rec.sumLimitsUw = rec.zones.reduce((s, z) => s + (z.newLimitUw ?? 0), 0);
    if (rec.writes.length === 0) rec.reason = 'steady';
    return rec;
  }

  /** Each zone's power this period, µW; null where there is none (the first pass of a counter, a gap). */
  private powers(tUs: number, readings: Reading[], events: BalanceEvent[], readAtUs?: readonly number[]): Array<number | null> {
    return this.o.zones.map((z, i) => {
      const r = readings[i]!;
      const pass = this.samplers[i]!.ingest(BigInt(Math.round(readAtUs?.[i] ?? tUs)), [r]);
      // the baseline: an instantaneous power_uw is already a power, a counter needs a second reading
      if (pass === null) return z.reading.attr === 'power_uw' && typeof r === 'bigint' ? Number(r) : null;
      const s = pass.samples[0]!;
      const first = this.rt[i]!.firstHalf;
      this.rt[i]!.firstHalf = null;
      if (s.gap) {
        events.push({ kind: 'power-gap', id: z.id, reason: s.gap });
        return null;
      }
      const second = Number(s.powerUw!);
      if (first === null || first.intervalUs + s.intervalUs <= 0n) return second;
      // the whole period, unless the second half says the demand moved
      const whole = Number(first.energyUj + s.energyUj!) * 1e6 / Number(first.intervalUs + s.intervalUs);
      return Math.abs(second - whole) > MOVED_FRACTION * Math.max(second, whole) ? second : Math.round(whole);
    });
  }

  /**
   * Write back the limits found at the start on every zone still managed (lowered first), unless
   * they are in force already. Released zones belong to whoever changed them.
   */
  stop(tUs: number, wallMs: number): PeriodRecord {
    const events: BalanceEvent[] = [];
    const writes: WriteRecord[] = [];
    const period = ++this.period;
    const current = this.rt.map((r) => {
      const v = parseLimit(this.o.source.read(r.zone.limitPath));
      return typeof v === 'number' ? v : r.knownUw;
    });
    const plan = planWrites(this.rt.map((r, i) => ({ id: r.zone.id, fromUw: current[i]!, toUw: r.managed ? r.initialUw : current[i]! })));
    for (const w of plan) {
      const r = this.rt.find((x) => x.zone.id === w.id)!;
      const wr = this.writeOne(r, w.fromUw, w.toUw, period);
      writes.push(wr);
      if (wr.errno !== null) events.push({ kind: 'write-failed', id: w.id, errno: wr.errno });
    }
    const zones: ZoneRecord[] = this.rt.map((r, i) => ({
      id: r.zone.id, name: r.zone.name, state: r.managed ? 'unknown' : 'released', powerUw: null,
      limitUw: current[i]!, targetUw: r.managed ? r.initialUw : null, newLimitUw: r.managed ? r.knownUw : current[i]!, held: false,
    }));
    return {
      period, tUs, wallMs, reason: 'restore',
      budget: { ...(this.lastBudget ?? { budgetUw: 0, origin: 'fixed' }), availableUw: 0, minimumUw: 0 },
      totalPowerUw: null, sumLimitsUw: zones.reduce((s, z) => s + (z.newLimitUw ?? 0), 0), headroomUw: 0,
      zones, writes, events, dryRun: this.o.dryRun === true,
    };
  }
}
