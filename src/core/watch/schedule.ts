/**
 * The sampling schedule: absolute, so it never drifts. Sample k is due at
 * start + k·interval on the monotonic clock, whatever the previous samples
 * cost. A sample that finishes late does not make the next ones bunch up to
 * catch up: the schedule skips to the next slot still in the future.
 */
export class Schedule {
  /** slots skipped because a sample ran late */
  skipped = 0;
  constructor(
    readonly startUs: bigint,
    readonly intervalUs: bigint,
  ) {
    if (intervalUs <= 0n) throw new RangeError('interval must be positive');
  }

  /** when sample k is due */
  slotUs(k: number): bigint {
    return this.startUs + BigInt(k) * this.intervalUs;
  }

  /**
   * The slot to take after slot k, given the time now: k + 1 when it is still
   * ahead, else the first slot after now (the ones in between are skipped).
   */
  next(k: number, nowUs: bigint): number {
    const following = k + 1;
    if (nowUs < this.slotUs(following)) return following;
    const j = Number((nowUs - this.startUs) / this.intervalUs) + 1;
    this.skipped += j - following;
    return j;
  }
}
