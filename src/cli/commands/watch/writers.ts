/**
 * The machine formats of watch: NDJSON, CSV and the Prometheus text exposition
 * format (rendered by the exporter's renderer). Pure text builders; run.ts decides
 * where the text goes.
 */
import { csvField, jsonVisible } from '../../visible.js';
import { formatMicroExact, jsonInt } from '../../../core/units.js';
import type { PassResult, Sampler, TotalSample, WatchSample } from '../../../core/watch/sampler.js';
import type { WatchZone } from '../../../core/watch/zones.js';
import { ExpositionBuilder, renderExposition } from '../../../core/exporter/exposition.js';
import { addSampledFamilies, sampledLabels } from '../../../core/exporter/sampled.js';

/** seconds since the start, from µs, exact to the µs */
export const seconds = formatMicroExact;

/** The wall-clock time of a sample, RFC 3339 in UTC with milliseconds: the start's clock plus `t`. */
export const wallTime = (startEpochMs: number, tUs: bigint): string => new Date(startEpochMs + Number(tUs / 1000n)).toISOString();

/**
 * `t` and `time` of a sample, worked out once per pass: the samples of a pass share their time,
 * and 4 096 zones made 4 096 Dates a pass.
 */
class SampleTimes {
  private tUs: bigint | null = null;
  private text: { t: string; time: string } = { t: '', time: '' };
  constructor(private readonly startEpochMs: number) {}
  of(tUs: bigint): { t: string; time: string } {
    if (tUs !== this.tUs) {
      this.tUs = tUs;
      this.text = { t: seconds(tUs), time: wallTime(this.startEpochMs, tUs) };
    }
    return this.text;
  }
}

const num = (v: bigint | null): string => {
  const j = jsonInt(v);
  return j === null ? 'null' : typeof j === 'string' ? `"${j}"` : String(j);
};

// ------------------------------------------------------------------ NDJSON

/** One object per sample per zone, keys in the documented order; then the system line. */
export class NdjsonFormatter {
  private readonly heads: string[];
  private readonly systemHead: string;
  private readonly systemTail: string;
  private readonly times: SampleTimes;
  /** `startEpochMs`: the wall clock at t = 0 (the formatter is made when the watch starts) */
  constructor(zones: WatchZone[], summed: string[], excluded: Array<{ id: string; reason: string }> = [], startEpochMs = Date.now()) {
    this.times = new SampleTimes(startEpochMs);
    // JSON.stringify escapes C0 controls; jsonVisible the DEL, C1 and bidi controls it leaves raw
    this.heads = zones.map((z) => jsonVisible(`,"zone":${JSON.stringify(z.id)},"name":${JSON.stringify(z.name)}`));
    this.systemHead = `,"zone":"system","name":"system"`;
    this.systemTail = jsonVisible(`,"zones":${JSON.stringify(summed)},"excluded":${JSON.stringify(excluded.map((e) => ({ zone: e.id, reason: e.reason })))}`);
  }

  line(s: WatchSample, index: number): string {
    const at = this.times.of(s.tUs);
    let l = `{"t":${at.t},"time":"${at.time}"${this.heads[index]},"energyDeltaUj":${num(s.energyUj)},"powerUw":${num(s.powerUw)},"intervalUs":${num(s.intervalUs)},"wrapped":${s.wrapped},"limitUw":${num(s.limitUw)},"atLimit":${s.atLimit}`;
    if (s.gap) l += `,"gap":true,"reason":"${s.gap}"${s.errno ? `,"errno":"${s.errno}"` : ''}`;
    return l + '}\n';
  }

  systemLine(t: TotalSample): string {
    const at = this.times.of(t.tUs);
    let l = `{"t":${at.t},"time":"${at.time}"${this.systemHead},"energyDeltaUj":${num(t.energyUj)},"powerUw":${num(t.powerUw)},"intervalUs":${num(t.intervalUs)},"wrapped":false,"limitUw":null,"atLimit":null`;
    if (t.gap) l += `,"gap":true,"reason":"zone-gap"`;
    return l + this.systemTail + '}\n';
  }

  pass(r: PassResult): string {
    let out = '';
    for (let i = 0; i < r.samples.length; i++) out += this.line(r.samples[i]!, i);
    if (r.total) out += this.systemLine(r.total);
    return out;
  }
}

// ------------------------------------------------------------------ CSV

/**
 * energy_delta_uj: the energy of one interval (not the raw energy_uj counter that list prints);
 * limit_uw, at_limit: the limit in force and whether the zone drew 97 % of it (empty: none known)
 */
export const CSV_HEADER = 't,time,zone,name,energy_delta_uj,power_uw,interval_us,wrapped,gap,reason,limit_uw,at_limit';
const flag = (v: boolean | null) => (v === null ? '' : v ? '1' : '0');

/** a name's control characters shown as \x1b, quoted as CSV needs (cli/visible.ts) */
const csvCell = (v: string | null): string => (v === null ? '' : csvField(v));
const raw = (v: bigint | null) => (v === null ? '' : v.toString());

export class CsvFormatter {
  private readonly heads: string[];
  private readonly systemName: string;
  private readonly times: SampleTimes;
  constructor(zones: WatchZone[], summed: string[], startEpochMs = Date.now()) {
    this.times = new SampleTimes(startEpochMs);
    this.heads = zones.map((z) => `${csvCell(z.id)},${csvCell(z.name)}`);
    this.systemName = csvCell(`system: ${summed.join('+')}`);
  }
  pass(r: PassResult): string {
    let out = '';
    for (let i = 0; i < r.samples.length; i++) {
      const s = r.samples[i]!;
      const at = this.times.of(s.tUs);
      out += `${at.t},${at.time},${this.heads[i]},${raw(s.energyUj)},${raw(s.powerUw)},${s.intervalUs},${s.wrapped ? 1 : 0},${s.gap ? 1 : 0},${s.gap ?? ''},${raw(s.limitUw)},${flag(s.atLimit)}\n`;
    }
    const t = r.total;
    if (t) out += `${this.times.of(t.tUs).t},${this.times.of(t.tUs).time},system,${this.systemName},${raw(t.energyUj)},${raw(t.powerUw)},${t.intervalUs},0,${t.gap ? 1 : 0},${t.gap ? 'zone-gap' : ''},,\n`;
    return out;
  }
}

// ------------------------------------------------------------------ Prometheus

/**
 * The whole exposition after a pass, in the text format: the exporter's sampled
 * families (core/exporter/sampled.ts), with its names, labels and types: energy used
 * since the watch started for energy_uj zones (a counter: wrap-corrected, so it never
 * goes down), the average power over the last interval (a gauge; left out for a zone in
 * a gap), whether each zone was at its limit, and the system total. The limits themselves
 * are the exporter's alone (docs/watch.md).
 */
export function prometheusText(sampler: Sampler, last: PassResult | null, summed: string[]): string {
  const b = new ExpositionBuilder();
  addSampledFamilies(b, sampler, last, sampledLabels(sampler, summed));
  return renderExposition(b.build(), false);
}
