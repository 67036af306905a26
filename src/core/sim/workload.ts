/**
 * A workload: what each zone would draw with no limit, over time. Either a schedule of points
 * (at a time, move to a power: at once, or along a ramp of the given length), repeated or not,
 * or the powers of a recording that watch saved (watch/recording.ts) played back through the
 * watch sampler, so the recorded counters (wraps included) give the demand.
 */
import { decodeRecording, type RecordingDoc } from '../watch/recording.js';
import { Sampler } from '../watch/sampler.js';

export interface DemandPoint {
  /** when the move starts, µs from the start (of the schedule's cycle when repeated) */
  atUs: number;
  powerUw: number;
  /** 0: a step; else the move is a straight line over this long */
  rampUs: number;
}

/** One zone's demand as a function of time. */
export interface Demand {
  at(tUs: number): number;
}

/** A schedule of points; before the first point the demand is the first point's power. */
export function scheduleDemand(points: readonly DemandPoint[], repeatUs: number | null): Demand {
  const pts = [...points].sort((a, b) => a.atUs - b.atUs);
  if (pts.length === 0) return { at: () => 0 };
  return {
    at(tUs: number): number {
      const t = repeatUs ? tUs % repeatUs : tUs;
      // the last point that has started, and the power before it
      let k = -1;
      for (let j = 0; j < pts.length && pts[j]!.atUs <= t; j++) k = j;
      if (k < 0) return pts[0]!.powerUw;
      const p = pts[k]!;
      const before = k === 0 ? (repeatUs ? pts[pts.length - 1]!.powerUw : p.powerUw) : pts[k - 1]!.powerUw;
      if (p.rampUs <= 0 || t >= p.atUs + p.rampUs) return p.powerUw;
      return Math.round(before + ((p.powerUw - before) * (t - p.atUs)) / p.rampUs);
    },
  };
}

/**
 * The recorded power of each zone in `ids` (by the recording's zone id, `from` when it differs),
 * as demand: each interval's average power from its start to the next pass, played from the
 * start again when the run is longer than the recording.
 */
export function recordingDemands(doc: RecordingDoc, file: string, from: ReadonlyArray<string>): Map<string, Demand> {
  const rec = decodeRecording(doc, file);
  const sampler = new Sampler(rec.zones);
  const times: number[] = [];
  const powers: number[][] = rec.zones.map(() => []);
  for (let p = 0; p < rec.times.length; p++) {
    const pass = sampler.ingest(rec.times[p]!, rec.readings[p]!);
    if (!pass) continue;
    times.push(Number(rec.times[p - 1]! - rec.times[0]!));
    pass.samples.forEach((s, i) => powers[i]!.push(s.powerUw === null ? powers[i]!.at(-1) ?? 0 : Number(s.powerUw)));
  }
  const lengthUs = rec.times.length > 1 ? Number(rec.times.at(-1)! - rec.times[0]!) : 0;
  const out = new Map<string, Demand>();
  for (const id of from) {
    const zi = rec.zones.findIndex((z) => z.id === id);
    if (zi < 0) continue;
    const series = powers[zi]!;
    out.set(id, {
      at(tUs: number): number {
        if (series.length === 0 || lengthUs <= 0) return 0;
        const t = tUs % lengthUs;
        let lo = 0;
        let hi = times.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (times[mid]! <= t) lo = mid;
          else hi = mid - 1;
        }
        return series[lo]!;
      },
    });
  }
  return out;
}

/**
 * A demand with noise: at each time, up to `fraction` of it either way, from a generator seeded
 * by `seed` and the time, so a run is repeatable and a time always gets the same noise.
 */
export function noisyDemand(d: Demand, fraction: number, seed: number): Demand {
  return {
    at(tUs: number): number {
      // a 32-bit hash of (seed, t): mulberry32's mixing on one step
      let x = (Math.floor(tUs / 1000) * 2654435761 + seed * 0x9e3779b9) >>> 0;
      x = Math.imul(x ^ (x >>> 15), x | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      const u = ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      return Math.max(0, Math.round(d.at(tUs) * (1 + fraction * (2 * u - 1))));
    },
  };
}
