/**
 * "At the limit": a zone drawing at least 97 % of the limit it is held to, averaged over
 * the sampling interval (the interval's energy over its time, or the power a DTPM zone
 * reports). The limit is the one core/limits/effective.ts decides (limitInForce for each
 * constraint, the MSR and MMIO copies of a package together; the lowest of the constraints,
 * lowestInForce). The margin below 100 % is there because a zone held at its limit does not
 * read exactly at it over one interval: RAPL regulates the average over its time window (28 s
 * for PL1), so a reading over a second lands a little above or below. A zone not limited is
 * never at its limit.
 * Worked examples: 14.6 W against 15 W is 97.3 %: at the limit; 27.16 W against 28 W is
 * exactly 97 %: at the limit; 25.2 W against 28 W is 90 %: not.
 */
import type { ZoneLimit } from '../limits/effective.js';

export const AT_LIMIT_PERCENT = 97n;

/** Whether `powerUw` is at `limit` (true, false); null when the limit is unknown or there is no power figure. */
export function atLimit(powerUw: bigint | null, limit: ZoneLimit): boolean | null {
  if (powerUw === null || limit === 'unknown') return null;
  if (limit === 'none') return false;
  return powerUw * 100n >= limit * AT_LIMIT_PERCENT;
}

/** The limit in µW, or null (not limited, or unknown), as the machine formats print it. */
export const limitUwOf = (limit: ZoneLimit): bigint | null => (typeof limit === 'bigint' ? limit : null);

/**
 * How often watch re-reads the limits: at most once a second (every pass at a longer
 * interval), so that a limit changed during a watch is what a zone is compared with, without
 * doubling the reads of a fast one (the exporter has its own cadence, --limits-interval).
 */
export const WATCH_LIMITS_EVERY_US = 1_000_000n;
