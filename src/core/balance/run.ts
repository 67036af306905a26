/**
 * The balance loop on a clock that is passed in: the command gives the monotonic clock (watch's
 * schedule: period k due at start + k·interval, a late period moves to the next slot ahead),
 * the tests a virtual one. Stops when the signal aborts or the duration is over, then restores
 * the limits found at the start (unless kept). Every period's record goes to `onRecord`.
 */
import { runLiveLoop, type LoopResult, type WatchClock } from '../watch/loop.js';
import type { BalanceController, PeriodRecord } from './controller.js';

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
  /** leave the limits as they are at the end */
  keep?: boolean;
  onRecord(record: PeriodRecord): void | Promise<void>;
}

export interface RunBalanceResult {
  loop: LoopResult;
  /** the restore at the end (null when kept) */
  restore: PeriodRecord | null;
}

export async function runBalance(o: RunBalanceOptions): Promise<RunBalanceResult> {
  const c = o.controller;
  const settle = BigInt(Math.round(o.settleUs ?? 2000));
  const start = o.clock.nowUs();
  const loop = await runLiveLoop({
    intervalUs: BigInt(Math.round(o.intervalUs)),
    count: null,
    lastSlot: o.durationUs == null ? null : Math.floor(o.durationUs / o.intervalUs),
    read: () => c.readPowers(),
    clock: o.clock,
    signal: o.signal,
    async onPass(tUs, readings) {
      const t = Number(tUs);
      const d = c.decide(t, readings, o.startWallMs + t / 1000);
      c.write(d, 'lower');
      const raises = d.allocation?.writes.some((w) => !w.lower) ?? false;
      if (raises && d.record.writes.length > 0 && settle > 0n) await o.clock.sleepUntil(o.clock.nowUs() + settle, o.signal);
      // stopping between the two halves: the raises are not made, the restore follows
      if (!o.signal.aborted) c.write(d, 'raise');
      await o.onRecord(c.finish(d));
    },
  });
  let restore: PeriodRecord | null = null;
  if (!o.keep) {
    const t = Number(o.clock.nowUs() - start);
    restore = c.stop(t, o.startWallMs + t / 1000);
    await o.onRecord(restore);
  }
  return { loop, restore };
}
