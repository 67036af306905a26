/**
 * The balance loop on a clock that is passed in (the command: the monotonic clock; a test: a
 * virtual one). Period k is due at start + k·interval; a period that starts late moves the ones
 * after it (they stay an interval apart: a zone is never written twice within an interval, and a
 * late period is not caught up). Stops when the signal aborts or the duration is over, then
 * restores the limits found at the start (unless kept), also when a period fails. Every period's
 * record goes to `onRecord`.
 *
 * How power is measured, for zones with energy counters:
 * - a counter is published in steps (RAPL about every millisecond; a simulated plant every
 *   20 ms), so a reading holds the energy up to the last step, not up to the moment it was read:
 *   a power taken between two plain readings is off by up to a step at either end (±10 % over
 *   200 ms on a 20 ms plant, and a slack zone then looks saturated). Each capture reads the
 *   counters again, every millisecond or few, until they step (readCountersTimed): the power
 *   between two steps is exact;
 * - a capture is also taken half an interval before each period: when the power over the
 *   period's second half differs from the one over the whole period by more than the noise of a
 *   measurement (controller.ts MOVED_FRACTION), the demand moved, and the second half is what the
 *   period decides on: the zone is seen as it is now, not as an average of before and after, and
 *   its budget moves a period sooner.
 * Both below a 1 s interval (TIMED_BELOW_US); sim takes the same captures on its virtual clock
 * (takesHalves). `power_uw` (DTPM) is an instantaneous reading already: read once, at the period.
 */
import type { WatchClock } from '../watch/loop.js';
import { parseReading, type Reading } from '../watch/zones.js';
import type { Source } from '../source/types.js';
import type { BalanceController, PeriodRecord } from './controller.js';
import type { BalanceZone } from './zones.js';

export interface RunBalanceOptions {
  controller: BalanceController;
  intervalUs: number;
  clock: WatchClock;
  signal: AbortSignal;
  /** the wall clock at the start, ms since the epoch (records carry start + t) */
  startWallMs: number;
  /** stop after this long (null: until the signal) */
  durationUs?: number | null;
  /**
   * A pause between the lowered and the raised writes of a period. The kernel applies a write
   * before the call returns; a plant that polls its files (a simulator's tree) needs a moment to
   * see the lowered limits first. Default 2 ms.
   */
  settleUs?: number;
  /** how long to wait at most for the energy counters to step (default: a quarter of the interval, at most 30 ms, below a 1 s interval; 0: read once, at the period only) */
  stepWaitUs?: number;
  /** leave the limits as they are at the end */
  keep?: boolean;
  onRecord(record: PeriodRecord): void | Promise<void>;
}

export interface RunBalanceResult {
  /** periods run */
  periods: number;
  /** periods that started late (the ones after them moved) */
  late: number;
  /** the restore at the end (null when kept) */
  restore: PeriodRecord | null;
}

/**
 * Between two reads of the counters that have not stepped yet: a two-hundredth of the interval,
 * 1 to 10 ms (the time of a step is known to half of it: ±0.5 % of the half period it ends).
 */
const pollUs = (intervalUs: number): bigint => BigInt(Math.round(Math.min(10_000, Math.max(1000, intervalUs / 200))));
/**
 * The counters are read until they step, and a period's power is taken over its second half,
 * when the period is shorter than this. Each of those reads is a wake-up of the process (a
 * quarter of a millisecond of CPU on a sandboxed machine); from a second on, a step of 20 ms is
 * at most 2 % of the period, and a plain read each period costs less than the period's own work.
 */
const TIMED_BELOW_US = 1_000_000;

/** Whether a period of this length is measured over its halves (and its counters read until they step). */
export const takesHalves = (intervalUs: number): boolean => intervalUs < TIMED_BELOW_US;

/** A period that starts more than this after it was due is late. */
const LATE_US = 1000n;

/**
 * Read the energy counters again, every `pollUs`, until each has moved from `first` (or
 * `maxWaitUs` has passed): a counter that moved is stamped with the middle of the two reads
 * around its step. The others (power_uw, a counter that did not move, a failed read) keep the
 * first reading and its time. Times are µs on the clock.
 */
export async function readCountersTimed(o: {
  source: Source; zones: readonly BalanceZone[]; first: Reading[]; firstAtUs: bigint; clock: WatchClock; signal: AbortSignal; maxWaitUs: bigint; pollUs: bigint;
}): Promise<{ readings: Reading[]; atUs: bigint[] }> {
  const readings = o.first.slice();
  const atUs = o.zones.map(() => o.firstAtUs);
  const waiting: number[] = [];
  o.zones.forEach((z, i) => { if (z.reading.attr === 'energy_uj' && typeof o.first[i] === 'bigint') waiting.push(i); });
  const until = o.firstAtUs + o.maxWaitUs;
  let before = o.firstAtUs;
  while (waiting.length > 0 && !o.signal.aborted && o.clock.nowUs() + o.pollUs <= until) {
    // from now, not from the last read: the reads themselves take time, and a clock that calls
    // anything under a millisecond "on time" would otherwise not wait at all
    await o.clock.sleepUntil(o.clock.nowUs() + o.pollUs, o.signal);
    const t0 = o.clock.nowUs();
    for (let k = waiting.length - 1; k >= 0; k--) {
      const i = waiting[k]!;
      const r = o.source.read(o.zones[i]!.reading.path);
      const v = r.ok ? parseReading(r.text) : r.errno;
      if (typeof v !== 'bigint' || v === o.first[i]) continue;
      readings[i] = v;
      atUs[i] = (before + t0) / 2n;
      waiting.splice(k, 1);
    }
    before = t0;
  }
  return { readings, atUs };
}

export async function runBalance(o: RunBalanceOptions): Promise<RunBalanceResult> {
  const c = o.controller;
  const interval = BigInt(Math.round(o.intervalUs));
  const settle = BigInt(Math.round(o.settleUs ?? 2000));
  const stepWait = BigInt(Math.round(o.stepWaitUs ?? (takesHalves(o.intervalUs) ? Math.min(o.intervalUs / 4, 30_000) : 0)));
  const counters = stepWait > 0n && c.zones.some((z) => z.reading.attr === 'energy_uj');
  const poll = pollUs(o.intervalUs);
  const start = o.clock.nowUs();
  const end = o.durationUs == null ? null : start + BigInt(Math.round(o.durationUs));
  const rel = (abs: bigint) => Number(abs - start);

  /** every zone's reading, the counters read until they step; times relative to the start */
  const capture = async (): Promise<{ readings: Reading[]; atUs: number[]; t: bigint }> => {
    const a = o.clock.nowUs();
    const first = c.readPowers();
    const t = (a + o.clock.nowUs()) / 2n;
    if (!counters) return { readings: first, atUs: c.zones.map(() => rel(t)), t };
    const timed = await readCountersTimed({ source: c.source, zones: c.zones, first, firstAtUs: t, clock: o.clock, signal: o.signal, maxWaitUs: stepWait, pollUs: poll });
    return { readings: timed.readings, atUs: timed.atUs.map(rel), t };
  };

  let restore: PeriodRecord | null = null;
  const restoreNow = async () => {
    if (o.keep) return;
    const t = rel(o.clock.nowUs());
    restore = c.stop(t, o.startWallMs + t / 1000);
    await o.onRecord(restore);
  };
  let periods = 0;
  let late = 0;
  let due = start;
  try {
    while (!o.signal.aborted) {
      await o.clock.sleepUntil(due, o.signal);
      if (o.signal.aborted) break;
      const got = await capture();
      if (got.t - due > LATE_US) late++;
      const t = rel(got.t);
      const d = c.decide(t, got.readings, o.startWallMs + t / 1000, got.atUs);
      c.write(d, 'lower');
      const raises = d.allocation?.writes.some((w) => !w.lower) ?? false;
      if (raises && d.record.writes.length > 0 && settle > 0n) await o.clock.sleepUntil(o.clock.nowUs() + settle, o.signal);
      // stopping between the two halves: the raises are not made, the restore follows
      if (!o.signal.aborted) c.write(d, 'raise');
      await o.onRecord(c.finish(d));
      periods++;
      // the next period an interval after this one began (after a late one too: no catching up)
      const next = got.t - due > LATE_US ? got.t + interval : due + interval;
      if (end !== null && next > end) break;
      // half an interval before it, a capture the next period measures its power from
      const mid = next - interval / 2n;
      if (counters && o.clock.nowUs() < mid) {
        await o.clock.sleepUntil(mid, o.signal);
        if (o.signal.aborted) break;
        const m = await capture();
        c.observe(m.readings, m.atUs);
      }
      due = next;
    }
  } catch (err) {
    // a period that failed half-way: the limits found at the start go back before the error is told
    try { await restoreNow(); } catch { /* the first error is the one to tell */ }
    throw err;
  }
  await restoreNow();
  return { periods, late, restore };
}
