/**
 * The process's clocks and its own cost, for the loops core drives with time passed in
 * (core/watch/loop.ts WatchClock, the exporter's collector): core reads no clock itself.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WatchClock } from '../core/watch/loop.js';

/** process.hrtime.bigint() in µs: monotonic, unaffected by changes to the wall clock. */
export const monotonicUs = (): bigint => process.hrtime.bigint() / 1000n;

/** The monotonic clock the live loop and the replay sleep on. */
export const monotonicClock: WatchClock = {
  nowUs: monotonicUs,
  async sleepUntil(targetUs, signal) {
    for (;;) {
      if (signal.aborted) return;
      const ms = Number(targetUs - monotonicUs()) / 1000;
      // timers have millisecond granularity: under a millisecond early is on time
      if (ms < 1) return;
      try {
        await delay(ms, undefined, { signal });
      } catch {
        return; // aborted
      }
    }
  },
};

/** CPU time (user + system, µs) and resident memory (bytes) of this process so far. */
export function processCost(): { cpuUs: number; rssBytes: number } {
  const cpu = process.cpuUsage();
  return { cpuUs: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
}
