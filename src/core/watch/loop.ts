/**
 * The drivers that feed a Sampler: the live loop (readings taken on the
 * absolute schedule, stamped with a monotonic clock) and the replay of a
 * recording (the recorded readings and times, at a chosen speed). Time and reads
 * are injected (the CLI's clock: cli/clock.ts), so both are testable without waiting.
 */
import { Schedule } from './schedule.js';
import type { Reading } from './zones.js';

export interface WatchClock {
  /** monotonic time, µs */
  nowUs(): bigint;
  /** resolve at targetUs (or as soon as the signal aborts) */
  sleepUntil(targetUs: bigint, signal: AbortSignal): Promise<void>;
}

export type PassHandler = (tUs: bigint, readings: Reading[]) => void | Promise<void>;

export interface LoopResult {
  /** passes taken, the baseline included */
  passes: number;
  /** schedule slots skipped because a pass ran late */
  skipped: number;
  /** the longest pass (its reads and its output), µs: why slots were skipped */
  maxPassUs: bigint;
  aborted: boolean;
}

export interface LiveLoopOptions {
  intervalUs: bigint;
  /** passes with figures to take after the baseline; null: until aborted (or lastSlot) */
  count: number | null;
  /**
   * --duration: the last schedule slot to sample (duration / interval). The run stops
   * there on time even when late passes skipped slots (count stops after N passes).
   */
  lastSlot?: number | null;
  read(): Reading[];
  clock: WatchClock;
  signal: AbortSignal;
  onPass: PassHandler;
}

/**
 * Pass k is due at start + k·interval. Each pass is stamped with the middle of
 * its reads, relative to the start. A pass that ends late moves the next one
 * to the next slot still ahead (Schedule.next): late passes are not bunched.
 */
export async function runLiveLoop(o: LiveLoopOptions): Promise<LoopResult> {
  const start = o.clock.nowUs();
  const schedule = new Schedule(start, o.intervalUs);
  const total = o.count === null ? Infinity : o.count + 1;
  const lastSlot = o.lastSlot ?? Infinity;
  let passes = 0;
  let maxPassUs = 0n;
  for (let k = 0; passes < total; ) {
    await o.clock.sleepUntil(schedule.slotUs(k), o.signal);
    if (o.signal.aborted) break;
    const t0 = o.clock.nowUs();
    const readings = o.read();
    const t1 = o.clock.nowUs();
    await o.onPass((t0 + t1) / 2n - start, readings);
    passes++;
    const took = o.clock.nowUs() - t0;
    if (took > maxPassUs) maxPassUs = took;
    if (passes >= total || o.signal.aborted) break;
    const next = schedule.next(k, o.clock.nowUs());
    if (next > lastSlot) {
      // the slots past the end were never due: only the ones before it count as skipped
      schedule.skipped -= next - Math.max(k + 1, lastSlot + 1);
      break;
    }
    k = next;
  }
  return { passes, skipped: schedule.skipped, maxPassUs, aborted: o.signal.aborted };
}

export interface ReplayOptions {
  times: bigint[];
  readings: Reading[][];
  /** 1: as recorded; 2: twice as fast; 0: as fast as possible */
  speed: number;
  count: number | null;
  clock: WatchClock;
  signal: AbortSignal;
  onPass: PassHandler;
}

/** Feed the recorded passes at their recorded pace divided by speed. */
export async function runReplay(o: ReplayOptions): Promise<LoopResult> {
  const total = Math.min(o.times.length, o.count === null ? Infinity : o.count + 1);
  const start = o.clock.nowUs();
  const t0 = o.times[0] ?? 0n;
  let passes = 0;
  for (let p = 0; p < total; p++) {
    if (o.speed > 0) {
      const offset = BigInt(Math.round(Number(o.times[p]! - t0) / o.speed));
      await o.clock.sleepUntil(start + offset, o.signal);
    } else if (p % 256 === 255) {
      await new Promise((r) => setImmediate(r)); // let Ctrl-C and output through
    }
    if (o.signal.aborted) break;
    await o.onPass(o.times[p]!, o.readings[p]!);
    passes++;
  }
  return { passes, skipped: 0, maxPassUs: 0n, aborted: o.signal.aborted };
}
