/**
 * The registry of power devices (seed 000: dtpm_add / dtpm_lookup / dtpm_del):
 * the names drivers register (`cpu0-cpufreq`, `ff9a0000.gpu-devfreq`,
 * `power-supply-charge`) that a hierarchy is built from.
 *
 * - In a snapshot it is `doc.dtpm.registry` and can be edited, so that a board
 *   not yet booted can be modelled; an energy-model domain can be added with it.
 * - On a live tree it is derived: every DTPM leaf, plus every energy-model
 *   domain not yet placed (a CPU domain `cpuN` registers as `cpuN-cpufreq`, a
 *   device domain under its own name, as dtpm_devfreq.c uses dev_name()).
 * Names are unique: adding one twice is refused (-EEXIST in the seed).
 *
 * Device-tree paths (for the kernel table that `dtpm export` renders):
 * an entry's `dtPath` (a string or a list) when recorded; else derived:
 * a CPU device gives `/cpus/cpu@<cpu in hex>` per CPU of its domain (right only
 * where a CPU's `reg` equals its number: rk3399's big cores are cpu@100 and
 * cpu@101, so record those), a platform device named `<addr>.<node>` (with or
 * without the devfreq suffix) gives `/<node>@<addr>` (right for nodes at the
 * top of the tree); nothing for other devices.
 */
import type { RegistryEntry, SnapshotDoc } from '../snapshot/file.js';
import type { DirNode } from '../source/tree.js';
import { formatCpuList, type PerfDomain } from '../em/debugfs.js';
import { buildPerfStates, emFromOpps, emTableProblem, type PerfState } from '../kernel/energy-model.js';
import { parseOppCsv, parseOppJson } from '../em/oppfile.js';
import { invalidData, notFound, refused, usageError } from '../errors.js';
import { validateNodeName, deviceBounds, placementOf, type Hierarchy } from './hierarchy.js';
import { inferRegistryEntry } from './device.js';

export type DeviceKind = RegistryEntry['kind'];

export interface RegistryRow {
  name: string;
  kind: DeviceKind;
  domain: string | null;
  cpus: number[] | null;
  onlineCpus: number[] | null;
  powerMinUw: number | null;
  powerMaxUw: number | null;
  /** where the bounds come from */
  boundsFrom: 'energy-model' | 'registry' | null;
  dtPaths: string[];
  dtPathDerived: boolean;
  /** the node's path when placed in the hierarchy, else null */
  placedAt: string | null;
  zoneId: string | null;
}

/** The registry rows for display: bounds from the energy model and placement from the hierarchy. */
export function registryRows(h: Hierarchy): RegistryRow[] {
  return h.registry.map((e) => {
    const b = deviceBounds(e, h.domains);
    const at = placementOf(h, e.name);
    const dt = dtPathsOf(e);
    return {
      name: e.name,
      kind: e.kind,
      domain: e.domain ?? null,
      cpus: e.cpus ?? null,
      onlineCpus: e.onlineCpus ?? null,
      powerMinUw: b?.minUw ?? null,
      powerMaxUw: b?.maxUw ?? null,
      boundsFrom: b?.from ?? null,
      dtPaths: dt.paths,
      dtPathDerived: dt.derived,
      placedAt: at?.path ?? null,
      zoneId: at?.zoneId ?? null,
    };
  });
}

/** The registry a live tree implies: its DTPM leaves and the energy-model domains (see the module comment). */
export function liveRegistry(leafNames: string[], domains: PerfDomain[]): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  const seenDomains = new Set<string>();
  for (const name of leafNames) {
    const e = inferRegistryEntry(name, domains) ?? { name, kind: 'other' as const, domain: null, cpus: null };
    out.push(e);
    if (e.domain) seenDomains.add(e.domain);
  }
  for (const d of domains) {
    if (seenDomains.has(d.name)) continue;
    const name = d.cpus ? `cpu${Math.min(...d.cpus)}-cpufreq` : d.name;
    if (out.some((e) => e.name === name)) continue;
    out.push(d.cpus ? { name, kind: 'cpu', domain: d.name, cpus: d.cpus, onlineCpus: null } : { name, kind: 'devfreq', domain: d.name, cpus: null });
  }
  return out;
}

/** Device-tree paths of a device: recorded, or derived by the rule in the module comment. */
export function dtPathsOf(e: RegistryEntry): { paths: string[]; derived: boolean } {
  const rec = e.dtPath;
  if (typeof rec === 'string' && rec !== '') return { paths: [rec], derived: false };
  if (Array.isArray(rec) && rec.length > 0) return { paths: rec.map(String), derived: false };
  if (e.kind === 'cpu') {
    const m = /^cpu([0-9]+)-cpufreq$/.exec(e.name);
    const cpus = e.cpus && e.cpus.length ? e.cpus : m ? [Number(m[1])] : [];
    return { paths: cpus.map((c) => `/cpus/cpu@${c.toString(16)}`), derived: true };
  }
  const dev = /^([0-9a-f]+)\.([A-Za-z0-9_,+-]+?)(?:-devfreq)?$/.exec(e.name);
  if (dev) return { paths: [`/${dev[2]}@${dev[1]}`], derived: true };
  return { paths: [], derived: true };
}

// ------------------------------------------------------------------ editing a snapshot's registry

export interface AddDeviceOptions {
  kind?: DeviceKind;
  domain?: string | null;
  cpus?: number[] | null;
  onlineCpus?: number[] | null;
  powerMinUw?: number | null;
  powerMaxUw?: number | null;
  dtPaths?: string[];
  /** a new energy-model domain to add with the device (named `domain`) */
  emStates?: PerfState[] | null;
}

/** The kind a device gets when none is given: cpu for cpuN-cpufreq or with CPUs, devfreq with a domain, else other. */
export function defaultKind(name: string, o: AddDeviceOptions): DeviceKind {
  if (o.kind) return o.kind;
  if (/^cpu[0-9]+-cpufreq$/.test(name) || (o.cpus && o.cpus.length)) return 'cpu';
  if (o.domain) return 'devfreq';
  return 'other';
}

/**
 * Add a device to a snapshot document (in memory; the caller saves). Refusals:
 * bad name exit 2, duplicate or clash with a virtual node exit 5, unknown
 * energy-model domain exit 3, inconsistent options exit 2.
 */
export function addDevice(doc: SnapshotDoc, h: Hierarchy, name: string, o: AddDeviceOptions): RegistryEntry {
  validateNodeName(name);
  if (h.registry.some((e) => e.name === name)) {
    throw refused(`device '${name}' is already registered (names are unique, -EEXIST)`, `remove it first: powercapctl registry remove ${name}`);
  }
  const clash = h.nodes.find((n) => n.name === name && !n.device);
  if (clash) {
    throw refused(`a virtual node is already named '${name}' (${clash.path}): registering the name would turn it into a device`,
      `delete that node first (powercapctl delete-node ${clash.path}) or pick another name`);
  }
  const kind = defaultKind(name, o);
  const hasBounds = o.powerMinUw != null || o.powerMaxUw != null;
  if (hasBounds && (o.powerMaxUw == null)) throw usageError('a lowest power without a highest: a device without an energy model needs both bounds');
  if (hasBounds && (o.powerMinUw ?? 0) > o.powerMaxUw!) throw usageError(`the lowest power (${o.powerMinUw} µW) is above the highest (${o.powerMaxUw} µW)`);
  if (kind !== 'other' && !o.domain) throw usageError(`a ${kind} device needs its energy-model domain`, undefined, 'device-needs-domain');
  if (kind === 'other' && !o.domain && !hasBounds) {
    throw usageError(`device '${name}' needs power bounds or an energy model`, undefined, 'device-needs-bounds');
  }
  let domains = h.domains;
  if (o.domain) {
    const existing = domains.find((d) => d.name === o.domain);
    if (o.emStates) {
      if (existing) throw refused(`energy-model domain '${o.domain}' already exists in the snapshot`, undefined, 'domain-exists');
      const cpus = kind === 'cpu' ? (o.cpus && o.cpus.length ? o.cpus : cpuOfName(name)) : null;
      if (kind === 'cpu' && !cpus) throw usageError(`the CPUs of the new domain '${o.domain}' are not known`, undefined, 'domain-needs-cpus');
      addEmDomain(doc, o.domain, cpus, o.emStates);
      domains = [...domains, { name: o.domain, cpus, flags: 1, microwatts: true, artificial: false, states: o.emStates }];
    } else if (!existing) {
      throw notFound(`no energy-model domain '${o.domain}' in the snapshot`, `domains: ${domains.map((d) => d.name).join(', ') || 'none'}`, 'domain-unknown');
    }
  }
  const d = o.domain ? domains.find((x) => x.name === o.domain) : undefined;
  const entry: RegistryEntry = { name, kind, domain: o.domain ?? null };
  if (kind === 'cpu') {
    entry.cpus = o.cpus && o.cpus.length ? o.cpus : (d?.cpus ?? cpuOfName(name));
    entry.onlineCpus = o.onlineCpus ?? null;
  } else entry.cpus = null;
  if (hasBounds) {
    entry.powerMinUw = o.powerMinUw ?? 0;
    entry.powerMaxUw = o.powerMaxUw!;
  }
  if (o.dtPaths && o.dtPaths.length) entry.dtPath = o.dtPaths.length === 1 ? o.dtPaths[0]! : o.dtPaths;
  doc.dtpm ??= {};
  (doc.dtpm.registry ??= []).push(entry);
  return entry;
}

const cpuOfName = (name: string): number[] | null => {
  const m = /^cpu([0-9]+)-cpufreq$/.exec(name);
  return m ? [Number(m[1])] : null;
};

/** Remove a device: not registered exit 3, placed in the hierarchy exit 5. */
export function removeDevice(doc: SnapshotDoc, h: Hierarchy, name: string): RegistryEntry {
  const list = doc.dtpm?.registry ?? [];
  const i = list.findIndex((e) => e.name === name);
  if (i < 0) throw notFound(`no device '${name}' in the registry`, `registered: ${list.map((e) => e.name).join(', ') || 'none'}`);
  const at = placementOf(h, name);
  if (at) throw refused(`device '${name}' is placed in the hierarchy at ${at.path}`, `delete that node first: powercapctl delete-node ${at.path}`);
  const [removed] = list.splice(i, 1);
  return removed!;
}

/** Write an energy-model domain in the debugfs layout the snapshot stores (energy_model/<domain>/ps:<f>/…). */
export function addEmDomain(doc: SnapshotDoc, domain: string, cpus: number[] | null, states: PerfState[]): void {
  validateNodeName(domain);
  const em: DirNode = (doc.energyModel ??= {});
  const dirs = (em.dirs ??= {});
  const attrs: Record<string, string> = {};
  if (cpus) attrs.cpus = `${formatCpuList(cpus)}\n`;
  attrs.flags = '0x1\n'; // bit0: power in µW (kernels ≥ 6.0)
  const ps: Record<string, DirNode> = {};
  for (const s of states) {
    ps[`ps:${s.frequencyKhz}`] = {
      attrs: {
        cost: `${s.cost}\n`, frequency: `${s.frequencyKhz}\n`, inefficient: s.inefficient ? '1\n' : '0\n',
        performance: `${s.performance}\n`, power: `${s.powerUw}\n`,
      },
    };
  }
  // an own property whatever the name: `dirs.__proto__ = …` would set the object's prototype (a
  // domain named __proto__ is a name like any other, as the snapshot reader and capture keep it)
  Object.defineProperty(dirs, domain, { value: { attrs, dirs: ps }, enumerable: true, writable: true, configurable: true });
}

// ------------------------------------------------------------------ energy-model table files

export interface EmTableOptions {
  /** a CPU domain gets performance and cost; a device does not (energy_model.c) */
  cpu: boolean;
  capacity?: number;
  /** dynamic-power-coefficient, when rows give voltages instead of power */
  coefficient?: number | null;
}

/**
 * An energy-model table from a file, read by the one OPP-table reader (em/oppfile.ts): JSON
 * (`[{ "frequencyKhz": 408000, "powerUw": 27769 }, …]`, or `{ "states": [...] }`, `voltageUv`
 * instead of `powerUw` with a coefficient), CSV with a header, or text with one state per line,
 * units required: `408MHz 27769uW` or `408MHz 825mV` (`#` starts a comment). Voltages need
 * `coefficient` (power = C × mV² × MHz / 1e6, drivers/opp/of.c). Bad content is invalid data (exit 6).
 */
export function parseEmTable(text: string, file: string, o: EmTableOptions): PerfState[] {
  const bad = (where: string, why: string) => invalidData(`${file}${where}: ${why}`, 'one state per line: FREQUENCY POWER (408MHz 27769uW) or FREQUENCY VOLTAGE (408MHz 825mV, with a dynamic-power-coefficient)');
  const t = text.trim();
  const rows = t.startsWith('[') || t.startsWith('{') ? parseOppJson(t, file) : parseOppCsv(text, file);
  rows.sort((a, b) => a.frequencyKhz - b.frequencyKhz);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.frequencyKhz === rows[i - 1]!.frequencyKhz) throw invalidData(`${rows[i]!.label}: frequency ${rows[i]!.frequencyKhz} kHz appears twice`);
  }
  const byVoltage = rows.some((r) => r.powerUw === null);
  if (byVoltage && rows.some((r) => r.powerUw !== null && r.voltageUv === null)) throw bad('', 'mixes power and voltage rows');
  let states: PerfState[];
  if (byVoltage) {
    if (!o.coefficient) throw usageError(`${file} gives voltages: the power needs the dynamic-power-coefficient`, undefined, 'needs-coefficient');
    states = emFromOpps(rows.map((r) => ({ frequencyKhz: r.frequencyKhz, voltageUv: r.voltageUv! })), o.coefficient, { capacity: o.capacity ?? 1024, cpu: o.cpu });
  } else {
    states = buildPerfStates(rows.map((r) => ({ frequencyKhz: r.frequencyKhz, powerUw: r.powerUw! })), { capacity: o.capacity ?? 1024, cpu: o.cpu });
  }
  // what em_create_perf_table() refuses
  const problem = emTableProblem(states.map((s, i) => ({ frequencyKhz: s.frequencyKhz, powerUw: s.powerUw, label: rows[i]!.label })));
  if (problem) throw invalidData(problem.message, 'the kernel refuses the whole table: fix that row');
  return states;
}
