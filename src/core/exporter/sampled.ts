/**
 * The metric families of what a sampler measured: per-zone energy and power and the
 * system total. The one renderer of these families: the exporter's /metrics
 * (collector.ts) and watch's Prometheus text (stdout or its text file) both call it, so a
 * zone's figures carry the same names, labels and types in both. Pure: no I/O.
 */
import { formatMicroExact } from '../units.js';
import type { PassResult, Sampler } from '../watch/sampler.js';
import { labelSet, type ExpositionBuilder, type FamilyDef } from './exposition.js';

export const SAMPLED_FAMILIES = {
  energy: { name: 'powercap_energy_joules', type: 'counter', unit: 'joules', help: 'Energy used by the zone since powercapctl started sampling it, in joules, from energy_uj with counter wraps handled (never goes down).' },
  power: { name: 'powercap_power_watts', type: 'gauge', unit: 'watts', help: 'Power of the zone in watts: the average over the last sampling interval from energy_uj, or the power_uw the zone reports (DTPM).' },
  systemEnergy: { name: 'powercap_system_energy_joules', type: 'counter', unit: 'joules', help: 'Energy of the non-overlapping zones summed (label zones) since powercapctl started sampling them, in joules.' },
  systemPower: { name: 'powercap_system_power_watts', type: 'gauge', unit: 'watts', help: 'Power of the non-overlapping zones summed (label zones) over the last sampling interval, in watts.' },
  atLimit: { name: 'powercap_at_limit', type: 'gauge', help: 'Whether the zone drew at least 97 % of the limit it is held to over the last sampling interval (1) or not (0): the lowest limit in force over its constraints, the MSR and MMIO copies of a package together; 0 for a zone that is not limited. Absent for a zone without a power figure, or whose limit could not be read.' },
} as const satisfies Record<string, FamilyDef>;

/** The labels of a zone's samples: `{zone, name, control_type}`, and `constraint` for a limit. */
export function zoneLabels(z: { id: string; name: string | null; controlType: string }, constraint?: string): string {
  const pairs: Array<[string, string]> = [['zone', z.id], ['name', z.name ?? ''], ['control_type', z.controlType]];
  if (constraint !== undefined) pairs.push(['constraint', constraint]);
  return labelSet(pairs);
}

/** The labels of the system total: `{zones}`, the ids summed joined by `+`. */
export const systemLabels = (summed: readonly string[]): string => labelSet([['zones', summed.join('+')]]);

/** Label sets of a sampler's zones and of its total, computed once and reused every pass. */
export interface SampledLabels {
  zones: readonly string[];
  system: string;
}

export const sampledLabels = (sampler: Sampler, summed: readonly string[]): SampledLabels =>
  ({ zones: sampler.zones.map((z) => zoneLabels(z)), system: systemLabels(summed) });

/**
 * The families after a pass: energy since the start for the zones read through
 * energy_uj (a counter: wrap-corrected, never goes down), the power of the last interval
 * (a gauge; absent for a zone in a gap, and before the first interval), whether each zone
 * was at its limit over it (when the pass was marked: watch/at-limit.ts), and the system
 * total when the sampler sums one.
 */
export function addSampledFamilies(b: ExpositionBuilder, sampler: Sampler, last: PassResult | null, labels: SampledLabels): void {
  const zones = sampler.zones;
  const stats = sampler.stats;
  b.family(SAMPLED_FAMILIES.energy);
  for (let i = 0; i < zones.length; i++) if (zones[i]!.attr === 'energy_uj') b.sample(labels.zones[i]!, formatMicroExact(stats[i]!.energyUj));
  b.family(SAMPLED_FAMILIES.power);
  if (last) {
    for (let i = 0; i < zones.length; i++) {
      const p = last.samples[i]!.powerUw;
      if (p !== null) b.sample(labels.zones[i]!, formatMicroExact(p));
    }
    b.family(SAMPLED_FAMILIES.atLimit);
    for (let i = 0; i < zones.length; i++) {
      const m = last.samples[i]!.atLimit;
      if (m !== null) b.sample(labels.zones[i]!, m ? '1' : '0');
    }
  }
  if (sampler.totalIndexes.length > 0) {
    b.family(SAMPLED_FAMILIES.systemEnergy).sample(labels.system, formatMicroExact(sampler.totalStats.energyUj));
    b.family(SAMPLED_FAMILIES.systemPower);
    const t = last?.total;
    if (t && t.powerUw !== null) b.sample(labels.system, formatMicroExact(t.powerUw));
  }
}
