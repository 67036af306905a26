/**
 * Recordings: the raw readings of a watch, stored in a snapshot next to the
 * tree they came from, so a run can be replayed (and inspected) anywhere.
 *
 * Columnar and compact: one string per column of comma-separated integers.
 * `tUs` holds the pass times (µs since the start of the watch) as deltas from
 * the previous pass; each zone's `values` holds its readings (energy_uj or
 * power_uw), the first one as it was read and then the delta from the previous
 * reading (negative across a wrap), an errno name (`EACCES`, `ENOENT`) for a
 * failed read and `?` for text that was no integer. 10 000 passes of a
 * laptop's five zones take about 0.5 MB. Each zone's `limits` holds the limit
 * it was held to at each pass (watch/at-limit.ts): µW, `-` for none, `?` when
 * unknown, and an empty token for the same as the pass before (a recording
 * made before limits were recorded has none: the snapshot's limits are used).
 * Replaying feeds exactly these numbers to the same Sampler, so a replay prints
 * what the live run printed.
 */
import { invalidData, notFound } from '../errors.js';
import type { Reading, WatchAttr, WatchZone } from './zones.js';
import type { ZoneLimit } from '../limits/effective.js';

export const RECORDING_FORMAT = 'powercapctl-watch';
export const RECORDING_VERSION = 1;

export interface RecordingZoneDoc {
  id: string;
  name: string | null;
  controlType: string;
  parent: string | null;
  attr: WatchAttr;
  maxEnergyRangeUj: number | string | null;
  maxPowerUw: number | string;
  limitUw: number | string | null;
  values: string;
  /** the limit in force at each pass (absent in recordings made before they were recorded) */
  limits?: string;
}

export interface RecordingDoc {
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  startedAt: string;
  intervalUs: number;
  passes: number;
  tUs: string;
  zones: RecordingZoneDoc[];
}

const int = (v: bigint): number | string =>
  v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();

/** Accumulates passes as they are taken; memory grows by the recorded text only. */
export class Recorder {
  private t = '';
  private lastT = 0n;
  private readonly cols: string[];
  private readonly last: Array<bigint | null>;
  private readonly limitCols: string[];
  private readonly lastLimit: Array<string | null>;
  passes = 0;

  constructor(
    readonly zones: WatchZone[],
    readonly intervalUs: bigint,
    readonly startedAt: string,
  ) {
    this.cols = zones.map(() => '');
    this.last = zones.map(() => null);
    this.limitCols = zones.map(() => '');
    this.lastLimit = zones.map(() => null);
  }

  /** A pass: its time, readings and the limit each zone was held to. */
  add(tUs: bigint, readings: readonly Reading[], limits: readonly ZoneLimit[]): void {
    const sep = this.passes === 0 ? '' : ',';
    this.t += sep + (tUs - this.lastT).toString();
    this.lastT = tUs;
    for (let i = 0; i < this.zones.length; i++) {
      const r = readings[i]!;
      let tok: string;
      if (typeof r === 'bigint') {
        const prev = this.last[i]!;
        tok = (prev === null ? r : r - prev).toString();
        this.last[i] = r;
      } else tok = r === 'invalid' ? '?' : r;
      this.cols[i] += sep + tok;
      const l = limitToken(limits[i]!);
      this.limitCols[i] += sep + (l === this.lastLimit[i] ? '' : l);
      this.lastLimit[i] = l;
    }
    this.passes++;
  }

  toDoc(): RecordingDoc {
    return {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      startedAt: this.startedAt,
      intervalUs: Number(this.intervalUs),
      passes: this.passes,
      tUs: this.t,
      zones: this.zones.map((z, i) => ({
        id: z.id,
        name: z.name,
        controlType: z.controlType,
        parent: z.parent,
        attr: z.attr,
        maxEnergyRangeUj: z.maxEnergyRangeUj === null ? null : int(z.maxEnergyRangeUj),
        maxPowerUw: int(z.maxPowerUw),
        limitUw: z.limitUw === null ? null : int(z.limitUw),
        values: this.cols[i]!,
        limits: this.limitCols[i]!,
      })),
    };
  }
}

export interface DecodedRecording {
  startedAt: string;
  intervalUs: bigint;
  zones: WatchZone[];
  /** pass times, µs since the start */
  times: bigint[];
  /** readings[pass][zone] */
  readings: Reading[][];
  /** limits[pass][zone]: the limit each zone was held to; null when the recording has none */
  limits: ZoneLimit[][] | null;
}

const tokens = (s: string): string[] => (s === '' ? [] : s.split(','));

const limitToken = (l: ZoneLimit): string => (l === 'none' ? '-' : l === 'unknown' ? '?' : l.toString());
const limitOfToken = (t: string): ZoneLimit => (t === '-' ? 'none' : t === '?' ? 'unknown' : BigInt(t));

/** Decode a recording; throws exit 6 when its columns do not line up. */
export function decodeRecording(doc: RecordingDoc, file: string): DecodedRecording {
  const bad = (why: string) => invalidData(`${file}: invalid recording: ${why}`);
  if (doc.format !== RECORDING_FORMAT) throw bad(`format is not "${RECORDING_FORMAT}"`);
  const times: bigint[] = [];
  let t = 0n;
  for (const tok of tokens(doc.tUs)) {
    t += BigInt(tok);
    times.push(t);
  }
  if (times.length !== doc.passes) throw bad(`tUs holds ${times.length} times for ${doc.passes} passes`);
  const readings: Reading[][] = times.map(() => new Array<Reading>(doc.zones.length));
  const recorded = doc.zones.length > 0 && doc.zones.every((z) => z.limits !== undefined);
  const limits: ZoneLimit[][] | null = recorded ? times.map(() => new Array<ZoneLimit>(doc.zones.length)) : null;
  const zones: WatchZone[] = doc.zones.map((z, zi) => {
    if (limits) {
      const toks = z.limits!.split(',');
      if (toks.length !== doc.passes && doc.passes > 0) throw bad(`zone ${z.id} holds ${toks.length} limits for ${doc.passes} passes`);
      let last: ZoneLimit = 'unknown';
      for (let p = 0; p < doc.passes; p++) {
        const tok = toks[p]!;
        if (tok !== '') {
          if (!/^([0-9]+|-|\?)$/.test(tok)) throw bad(`zone ${z.id}: limit '${tok}' is not µW, - or ?`);
          last = limitOfToken(tok);
        }
        limits[p]![zi] = last;
      }
    }
    const toks = tokens(z.values);
    if (toks.length !== doc.passes) throw bad(`zone ${z.id} holds ${toks.length} values for ${doc.passes} passes`);
    let last: bigint | null = null;
    for (let p = 0; p < toks.length; p++) {
      const tok = toks[p]!;
      if (/^-?[0-9]+$/.test(tok)) {
        last = last === null ? BigInt(tok) : last + BigInt(tok);
        readings[p]![zi] = last;
      } else readings[p]![zi] = tok === '?' ? 'invalid' : tok;
    }
    return {
      id: z.id,
      name: z.name,
      controlType: z.controlType,
      parent: z.parent,
      depth: z.id.split(':').length - 2,
      attr: z.attr,
      path: '',
      maxEnergyRangeUj: z.maxEnergyRangeUj === null ? null : BigInt(z.maxEnergyRangeUj),
      maxPowerUw: BigInt(z.maxPowerUw),
      limitUw: z.limitUw === null ? null : BigInt(z.limitUw),
    };
  });
  return { startedAt: doc.startedAt, intervalUs: BigInt(doc.intervalUs), zones, times, readings, limits };
}

/**
 * The recorded zones among those selected (ids; null: all), with their readings: what a
 * replay feeds the sampler (watch and the exporter alike). None of them recorded: exit 3.
 */
export function selectRecorded(rec: DecodedRecording, ids: ReadonlySet<string> | null): DecodedRecording {
  if (ids === null) return rec;
  const keep = rec.zones.map((_, i) => i).filter((i) => ids.has(rec.zones[i]!.id));
  if (keep.length === 0) {
    throw notFound('none of the selected zones is in the recording', `recorded zones: ${rec.zones.map((z) => z.id).join(', ')}`);
  }
  if (keep.length === rec.zones.length) return rec;
  return {
    ...rec, zones: keep.map((i) => rec.zones[i]!), readings: rec.readings.map((r) => keep.map((i) => r[i]!)),
    limits: rec.limits && rec.limits.map((r) => keep.map((i) => r[i]!)),
  };
}
