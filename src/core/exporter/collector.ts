/**
 * What the exporter knows, and the exposition it serves. The sampling loop
 * (the same absolute schedule and wrap-proof Sampler as watch) feeds passes in;
 * a scrape takes the exposition of the last pass, rendered once per pass and
 * format and then served from memory: a scrape never reads sysfs, and every
 * scraper of the same pass gets the same bytes.
 *
 * Families (names in base units, counters end in _total):
 *   powercap_energy_joules_total            counter  zone, name, control_type   (energy_uj zones)
 *   powercap_power_watts                    gauge    zone, name, control_type
 *   powercap_system_energy_joules_total     counter  zones
 *   powercap_system_power_watts             gauge    zones
 *   powercap_at_limit                       gauge    zone, name, control_type   (≥ 97 % of the limit in force)
 *   powercap_zone_enabled                   gauge    zone, name, control_type
 *   powercap_power_limit_watts              gauge    zone, name, control_type, constraint
 *   powercap_time_window_seconds            gauge    zone, name, control_type, constraint
 *   powercap_max_power_watts                gauge    zone, name, control_type, constraint
 *   powercap_effective_power_limit_watts    gauge    name, constraint, zones  (MSR + MMIO copies)
 *   powercapctl_exporter_snapshot_info      info     file, energy, reason     (a snapshot served)
 *   powercapctl_exporter_*, process_*       the exporter's own cost
 */
import { gzipSync } from 'node:zlib';
import type { Source } from '../source/types.js';
import type { PowercapTree, Zone } from '../zones/powercap-tree.js';
import { Sampler, type GapReason, type PassResult } from '../watch/sampler.js';
import { readPass, type Reading, type WatchPlan } from '../watch/zones.js';
import { ExpositionBuilder, labelSet, renderExposition, type FamilyBlock, type FamilyDef } from './exposition.js';
import { SAMPLED_FAMILIES, addSampledFamilies, sampledLabels, zoneLabels, type SampledLabels } from './sampled.js';
import { formatMicroExact } from '../units.js';
import { LIMIT_KINDS, LimitReader, pairInForce, type LimitKind } from './limits.js';
import type { ZoneLimit } from '../limits/effective.js';

export const FAMILIES = {
  ...SAMPLED_FAMILIES,
  enabled: { name: 'powercap_zone_enabled', type: 'gauge', help: 'Whether the zone\'s power limiting is enabled (1) or not (0).' },
  limit: { name: 'powercap_power_limit_watts', type: 'gauge', unit: 'watts', help: 'The constraint\'s power limit (constraint_N_power_limit_uw), in watts.' },
  window: { name: 'powercap_time_window_seconds', type: 'gauge', unit: 'seconds', help: 'The constraint\'s time window (constraint_N_time_window_us), in seconds.' },
  maxPower: { name: 'powercap_max_power_watts', type: 'gauge', unit: 'watts', help: 'The constraint\'s max_power_uw, in watts (0 where the driver gives none).' },
  effective: { name: 'powercap_effective_power_limit_watts', type: 'gauge', unit: 'watts', help: 'The limit a package exposed through both MSR and MMIO is held to, in watts: the lower of the enabled copies\' limits (0 W included); absent when both copies are disabled.' },
  snapshot: { name: 'powercapctl_exporter_snapshot', type: 'info', help: 'Present when a snapshot is served rather than a live tree: its file, whether energy and power are replayed from its watch recording or absent (a snapshot without one holds a single reading of each counter), and why.' },
  unreadable: { name: 'powercapctl_exporter_energy_unreadable', type: 'info', help: 'Present when energy_uj could not be read: the energy and power families of those zones are absent, and why.' },
  unreadableZones: { name: 'powercapctl_exporter_energy_unreadable_zones', type: 'gauge', help: 'Zones whose energy_uj could not be read at start, so that they export no energy or power.' },
  samples: { name: 'powercapctl_exporter_samples', type: 'counter', help: 'Sampling passes taken (one read of every sampled zone), the first (baseline) included.' },
  readErrors: { name: 'powercapctl_exporter_read_errors', type: 'counter', help: 'Failed reads of energy, power, limit and enabled files, by errno (invalid: text that is no integer).' },
  gaps: { name: 'powercapctl_exporter_gaps', type: 'counter', help: 'Zone samples without a figure, by reason (unreadable, vanished, multiple-wraps, backwards, implausible, ...).' },
  duration: { name: 'powercapctl_exporter_last_sample_duration_seconds', type: 'gauge', unit: 'seconds', help: 'How long the last sampling pass took to read its files, in seconds.' },
  interval: { name: 'powercapctl_exporter_sample_interval_seconds', type: 'gauge', unit: 'seconds', help: 'The sampling interval, in seconds.' },
  build: { name: 'powercapctl_exporter_build', type: 'info', help: 'The powercapctl version serving these metrics.' },
  cpu: { name: 'process_cpu_seconds', type: 'counter', unit: 'seconds', help: 'Total user and system CPU time spent by the exporter, in seconds.' },
  rss: { name: 'process_resident_memory_bytes', type: 'gauge', unit: 'bytes', help: 'Resident memory of the exporter, in bytes.' },
  start: { name: 'process_start_time_seconds', type: 'gauge', unit: 'seconds', help: 'Start time of the exporter since the Unix epoch, in seconds.' },
} as const satisfies Record<string, FamilyDef>;

export interface CollectorOptions {
  source: Source;
  /** the tree read at start (which zones are copies of one package) */
  tree: PowercapTree;
  /** the selected zones (limits of all of them are exported) */
  zones: readonly Zone[];
  /** which of them are sampled, and which were skipped (see planWatch) */
  plan: WatchPlan;
  /** ids of the sampled zones summed into the system figure (planSystemTotal) */
  summed: readonly string[];
  intervalUs: bigint;
  /** re-read limits when this long has passed since the last read */
  limitsIntervalUs: bigint;
  version: string;
  /** process start, ms since the epoch */
  startedMs: number;
  /** serving a snapshot: where energy and power come from (a replayed recording, or nowhere), and why */
  snapshot?: SnapshotFeed;
  /** a monotonic clock in µs, to time the reads of a pass (the CLI's: core reads no clock) */
  nowUs(): bigint;
  /** the exporter's own cost so far (CPU time in µs, resident memory in bytes), asked once per pass */
  processCost(): { cpuUs: number; rssBytes: number };
}

/** A snapshot served: the file, whether its recording is replayed or energy and power are absent, and why (worded by the command). */
export interface SnapshotFeed {
  file: string;
  energy: 'replayed' | 'absent';
  reason: string;
}

interface Rendered {
  text: Buffer;
  gzip: Buffer | null;
}

const LIMIT_FAMILY: Record<LimitKind, FamilyDef> = {
  power_limit_uw: FAMILIES.limit,
  time_window_us: FAMILIES.window,
  max_power_uw: FAMILIES.maxPower,
};

export class ExporterCollector {
  readonly sampler: Sampler;
  readonly limits: LimitReader;
  /** passes ingested */
  passes = 0;
  private last: PassResult | null = null;
  private lastReadUs = 0n;
  private readonly readErrors = new Map<string, number>();
  private readonly gapCounts = new Map<GapReason, number>();
  private cpuUs = 0;
  private rssBytes = 0;
  private readonly buffer: Reading[];
  private readonly sampledLabels: SampledLabels;
  private readonly limitLabels: string[];
  private readonly enabledLabels: string[];
  private generation = 0;
  private cache: { generation: number; om: boolean; r: Rendered }[] = [];

  constructor(private readonly o: CollectorOptions) {
    const index = new Map(o.plan.zones.map((z, i) => [z.id, i]));
    this.sampler = new Sampler(o.plan.zones, o.summed.map((id) => index.get(id)!), 0);
    this.limits = new LimitReader(o.source, o.zones, o.tree, o.plan.zones.map((z) => o.tree.byId.get(z.id) ?? null));
    this.buffer = new Array<Reading>(o.plan.zones.length);
    this.sampledLabels = sampledLabels(this.sampler, o.summed);
    this.limitLabels = this.limits.limits.map((l) => zoneLabels(l.zone, l.constraint));
    this.enabledLabels = this.limits.enabled.map((e) => zoneLabels(e.zone));
  }

  /** One pass of reads (for the live loop): times the reads and counts their errors. */
  read(): Reading[] {
    const t0 = this.o.nowUs();
    const readings = readPass(this.o.source, this.o.plan.zones, this.buffer);
    this.lastReadUs = this.o.nowUs() - t0;
    for (const r of readings) if (typeof r === 'string') this.readErrors.set(r, (this.readErrors.get(r) ?? 0) + 1);
    return readings;
  }

  /**
   * Take a pass (time since start, µs); limits are re-read when due. `recorded`: the limits a
   * replayed recording holds for this pass (watch --record), compared with instead of the
   * snapshot's, as watch's replay does.
   */
  ingest(tUs: bigint, readings: readonly Reading[], recorded?: readonly ZoneLimit[]): void {
    // limits first, so that the pass is compared with the limits as last re-read
    this.limits.refreshIfDue(tUs, this.o.limitsIntervalUs);
    const r = this.sampler.ingest(tUs, readings, recorded ?? this.limits.inForce());
    this.passes++;
    if (r) {
      this.last = r;
      for (const s of r.samples) if (s.gap) this.gapCounts.set(s.gap, (this.gapCounts.get(s.gap) ?? 0) + 1);
    }
    ({ cpuUs: this.cpuUs, rssBytes: this.rssBytes } = this.o.processCost());
    this.generation++;
  }

  /** The exposition of the last pass, rendered on first use and kept until the next pass. */
  exposition(openMetrics: boolean, gzip: boolean): Buffer {
    let c = this.cache.find((e) => e.om === openMetrics);
    if (!c || c.generation !== this.generation) {
      this.cache = this.cache.filter((e) => e.om !== openMetrics && e.generation === this.generation);
      c = { generation: this.generation, om: openMetrics, r: { text: Buffer.from(renderExposition(this.blocks(), openMetrics)), gzip: null } };
      this.cache.push(c);
    }
    if (!gzip) return c.r.text;
    c.r.gzip ??= gzipSync(c.r.text, { level: 4 });
    return c.r.gzip;
  }

  /** The metric families of the last pass. */
  blocks(): FamilyBlock[] {
    const b = new ExpositionBuilder();
    addSampledFamilies(b, this.sampler, this.last, this.sampledLabels);

    b.family(FAMILIES.enabled);
    const { enabled, limits } = this.limits;
    for (let i = 0; i < enabled.length; i++) {
      const v = enabled[i]!.value;
      if (v !== null) b.sample(this.enabledLabels[i]!, v ? '1' : '0');
    }
    for (const kind of LIMIT_KINDS) {
      b.family(LIMIT_FAMILY[kind]);
      for (let i = 0; i < limits.length; i++) {
        const l = limits[i]!;
        if (l.kind === kind && l.value !== null) b.sample(this.limitLabels[i]!, formatMicroExact(l.value));
      }
    }
    b.family(FAMILIES.effective);
    for (const p of this.limits.pairs) {
      const f = pairInForce(p);
      if (f.kind === 'held') b.sample(labelSet([['name', p.name], ['constraint', p.constraint], ['zones', `${p.limits[0].zone.id}+${p.limits[1].zone.id}`]]), formatMicroExact(f.powerLimitUw));
    }

    const snap = this.o.snapshot;
    if (snap) b.family(FAMILIES.snapshot).sample(labelSet([['file', snap.file], ['energy', snap.energy], ['reason', snap.reason]]), '1');
    const denied = this.o.plan.skipped.filter((s) => s.reason === 'permission');
    if (denied.length) {
      const errno = denied[0]!.errno ?? 'EACCES';
      b.family(FAMILIES.unreadable).sample(
        labelSet([['errno', errno], ['reason', 'energy_uj is readable by root only (CVE-2020-8694): run the exporter as root or grant it read access to energy_uj']]),
        '1',
      );
      b.family(FAMILIES.unreadableZones).sample('', String(denied.length));
    }

    b.family(FAMILIES.samples).sample('', String(this.passes));
    b.family(FAMILIES.readErrors);
    const errors = new Map(this.readErrors);
    for (const [k, v] of this.limits.errors) errors.set(k, (errors.get(k) ?? 0) + v);
    for (const [errno, n] of [...errors].sort()) b.sample(labelSet([['errno', errno]]), String(n));
    b.family(FAMILIES.gaps);
    for (const [reason, n] of [...this.gapCounts].sort()) b.sample(labelSet([['reason', reason]]), String(n));
    b.family(FAMILIES.duration).sample('', formatMicroExact(this.lastReadUs));
    b.family(FAMILIES.interval).sample('', formatMicroExact(this.o.intervalUs));
    b.family(FAMILIES.build).sample(labelSet([['version', this.o.version]]), '1');
    b.family(FAMILIES.cpu).sample('', formatMicroExact(BigInt(this.cpuUs)));
    b.family(FAMILIES.rss).sample('', String(this.rssBytes));
    b.family(FAMILIES.start).sample('', (this.o.startedMs / 1000).toFixed(3));
    return b.build();
  }
}
