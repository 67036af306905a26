/**
 * Reading the energy model from debugfs (/sys/kernel/debug/energy_model) or the
 * same layout stored in a snapshot: one directory per performance domain
 * (`cpu0`, `ff9a0000.gpu`) holding `cpus`, `flags` and a `ps:<freq>/` directory
 * per state (`cs:<freq>/` on older kernels) with frequency, power, cost,
 * performance and inefficient.
 */
import type { Source } from '../source/types.js';
import { joinRel } from '../source/types.js';
import { parseCpuList } from '../cpu-list.js';
import type { PerfState } from '../kernel/energy-model.js';

export interface PerfDomain {
  /** debugfs directory name: `cpu0`, `ff9a0000.gpu` */
  name: string;
  /** CPUs of the domain, null for a device */
  cpus: number[] | null;
  /** raw flags value (bit0 microwatts, bit2 artificial), null when absent */
  flags: number | null;
  /** power values are µW (flags bit0; always on kernels ≥ 6.0) */
  microwatts: boolean;
  artificial: boolean;
  /** false: the states have no `performance` files (kernels before 6.9), and performance reads 0; absent: they have */
  hasPerformance?: boolean;
  states: PerfState[];
}


/** [0,1,2,3,6] → `0-3,6` */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function readNumber(source: Source, rel: string): number | null {
  const r = source.read(rel);
  if (!r.ok) return null;
  const t = r.text.trim();
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^-?[0-9]+$/.test(t) ? Number(t) : NaN;
  return Number.isFinite(v) ? v : null;
}

/** Every performance domain under the source's root, states sorted by frequency. */
export function readEnergyModel(source: Source): PerfDomain[] {
  const entries = source.list('');
  if (!entries) return [];
  const domains: PerfDomain[] = [];
  for (const e of entries) {
    if (e.kind === 'file') continue;
    const sub = source.list(e.name);
    if (!sub) continue;
    const cpusRead = source.read(joinRel(e.name, 'cpus'));
    let cpus: number[] | null = null;
    if (cpusRead.ok) {
      try { cpus = parseCpuList(cpusRead.text); } catch { cpus = null; }
    }
    const flags = readNumber(source, joinRel(e.name, 'flags'));
    const states: PerfState[] = [];
    let hasPerformance = false;
    for (const s of sub) {
      if (s.kind === 'file' || !/^(ps|cs):[0-9]+$/.test(s.name)) continue;
      const d = joinRel(e.name, s.name);
      const frequencyKhz = readNumber(source, joinRel(d, 'frequency')) ?? Number(s.name.slice(3));
      const performance = readNumber(source, joinRel(d, 'performance'));
      if (performance !== null) hasPerformance = true;
      states.push({
        frequencyKhz,
        voltageUv: null,
        powerUw: readNumber(source, joinRel(d, 'power')) ?? 0,
        powerMw: null,
        performance: performance ?? 0,
        cost: readNumber(source, joinRel(d, 'cost')) ?? 0,
        inefficient: (readNumber(source, joinRel(d, 'inefficient')) ?? 0) !== 0,
      });
    }
    if (states.length === 0) continue;
    states.sort((a, b) => a.frequencyKhz - b.frequencyKhz);
    // the unit: `flags` bit0 (EM_PERF_DOMAIN_MICROWATTS, kernels ≥ 6.0 set it for every µW table);
    // no flags file is an older kernel, whose powers are mW (5.11–5.15 wrote a `units` file saying
    // milliWatts or bogoWatts for an abstract scale)
    const unitsRead = source.read(joinRel(e.name, 'units'));
    const units = unitsRead.ok ? unitsRead.text.trim().toLowerCase() : null;
    const microwatts = flags !== null ? (flags & 1) !== 0 : units !== null && /^(uw|\u00b5w|microwatts?)$/.test(units);
    const artificial = flags !== null ? (flags & 4) !== 0 : units !== null && units.startsWith('bogo');
    domains.push({ name: e.name, cpus, flags, microwatts, artificial, hasPerformance, states });
  }
  return domains.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}
