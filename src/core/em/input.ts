/**
 * One performance domain's table, from whichever input the user gave: a device-tree
 * OPP table with a dynamic-power coefficient, a CSV/JSON table, or a domain of the
 * energy model (debugfs or a snapshot). The result is the table the kernel would hold,
 * built with its rules (table.ts), after the checks em_create_perf_table() makes.
 */
import * as path from 'node:path';
import { invalidData, notFound, usageError } from '../errors.js';
import { oppPowerMwPre60, oppPowerUw } from '../kernel/opp.js';
import {
  buildEraStates, DEFAULT_ERA, emTableProblemEra, eraRules, performanceOf, PerformanceZeroError,
  type EmRow, type KernelEra, type PerfState,
} from '../kernel/energy-model.js';
import type { PerfDomain } from './debugfs.js';
import type { DtDomain } from '../dts/domains.js';
import type { OppHwFact } from '../dts/opp.js';

export type { KernelEra } from '../kernel/energy-model.js';

export interface ModelDomain {
  name: string;
  /** where it came from, for output */
  origin: { kind: 'dts'; file: string; table: string } | { kind: 'opp-file'; file: string } | { kind: 'energy-model'; domain: string } | { kind: 'device-tree'; file: string; node: string; table: string };
  cpu: boolean;
  /** CPUs of the domain when known (energy model, or CPU nodes pointing at a DTS table) */
  cpus: number[] | null;
  /** number of CPUs when known */
  nrCpus: number | null;
  capacity: number;
  /** where the capacity came from (the CLI says it in words) */
  capacitySource: CapacitySource;
  coefficient: number | null;
  era: KernelEra;
  states: PerfState[];
  /**
   * whether the table holds a performance per state: false for an energy-model dump from a kernel
   * before 6.9 shown as dumped (no `performance` files); the states' performance is then
   * capacity × f / fmax, computed for the calculators (energy, cap), not shown as the kernel's
   */
  hasPerformance: boolean;
  /** the opp-supported-hw OPPs of a device-tree table, when it has some */
  supportedHw: OppHwFact | null;
  notes: string[];
}

/**
 * Where a domain's capacity came from:
 * - `given`: the user's value
 * - `capacity-dmips-mhz`: capacity-dmips-mhz × max frequency, normalised (arch_topology.c)
 * - `capacity-dmips-mhz-boot`: capacity-dmips-mhz alone, normalised: a CPU without an OPP table gets no
 *   cpufreq policy, so the boot-time values stay (arch_topology.c)
 * - `energy-model`: the performance of the energy model's top state
 * - `default`: 1024, nothing says otherwise (a table read from a file)
 * - `default-no-dmips`: 1024, no CPU of the device tree has capacity-dmips-mhz
 * - `default-partial-dmips`: 1024, some CPUs lack capacity-dmips-mhz (the kernel then uses 1024 for all)
 * - `default-no-cpu`: 1024, no CPU of the device tree uses this table
 * - `default-no-performance`: 1024, the energy-model dump holds no performance
 */
export type CapacitySource =
  | 'given' | 'capacity-dmips-mhz' | 'capacity-dmips-mhz-boot' | 'energy-model' | 'default'
  | 'default-no-dmips' | 'default-partial-dmips' | 'default-no-cpu' | 'default-no-performance';

/** The table's input and what shapes it, parsed (the CLI's options, cli/commands/model). */
export interface DomainOptions {
  dts?: string | undefined;
  table?: string | undefined;
  oppFile?: string | undefined;
  coefficient?: number | undefined;
  capacity?: number | undefined;
  device?: boolean | undefined;
  cpus?: number | undefined;
  /** the kernel whose rules apply; absent: the current one (a dump: as that kernel wrote it) */
  era?: KernelEra | undefined;
  /** the driver's opp-supported-hw mask per level; absent: all bits */
  supportedHw?: number[] | undefined;
  oppName?: string | undefined;
  include?: string[] | undefined;
  /** the C preprocessor to run on a device-tree source (default `cpp` on PATH) */
  cpp?: string | undefined;
}

const eraOf = (o: DomainOptions) => o.era ?? DEFAULT_ERA;

/** Rows → the kernel's table, refusing what em_create_perf_table() refuses (exit 6, naming the row). */
export function tableFromRows(rows: EmRow[], opts: { capacity: number; cpu: boolean; era: KernelEra; where: string }): PerfState[] {
  const problem = emTableProblemEra(rows, opts.era);
  const prefix = (m: string) => (m.startsWith(`${opts.where}: `) ? m : `${opts.where}: ${m}`);
  if (problem) throw invalidData(prefix(problem.message), 'the kernel refuses the whole table: fix that row');
  try {
    return buildEraStates(rows, opts);
  } catch (err) {
    if (err instanceof PerformanceZeroError) throw invalidData(prefix(err.message), 'the kernel cannot take this table: a higher capacity or a lower fmax gives every state a performance');
    throw err;
  }
}

/** The powers of one DT domain's OPPs, as dev_pm_opp_of_register_em() gets them (its reason when it would not). */
function dtRows(d: DtDomain, coefficient: number | null, where: string): EmRow[] {
  const opps = d.opps!;
  if (d.microwatt) {
    // _get_dt_power(): each OPP's opp-microwatt; one without it reads 0, which em_create_perf_table() refuses
    return opps.map((x) => ({ label: `${d.table.path}/${x.node}`, frequencyKhz: x.frequencyKhz, powerUw: x.powerUw ?? 0, voltageUv: x.voltageUv, powerMw: Math.floor((x.powerUw ?? 0) / 1000) }));
  }
  if (coefficient === null || coefficient === 0) {
    throw invalidData(`${where}: ${d.path} has no dynamic-power-coefficient (and no opp-microwatt on its lowest OPP): the kernel registers no energy model`,
      undefined, 'needs-coefficient');
  }
  return opps.map((x) => {
    const label = `${d.table.path}/${x.node}`;
    // dev_pm_opp_calc_power(): -EINVAL without a voltage
    if (!x.voltageUv || x.voltageUv < 1000) throw invalidData(`${where}: ${label} has no opp-microvolt: dev_pm_opp_calc_power() fails (-EINVAL) and the kernel registers no energy model`);
    return { label, frequencyKhz: x.frequencyKhz, voltageUv: x.voltageUv, powerUw: oppPowerUw(coefficient, x.voltageUv, x.frequencyKhz), powerMw: oppPowerMwPre60(coefficient, x.voltageUv, x.frequencyKhz) };
  });
}

const dtCapacitySource = (d: DtDomain): CapacitySource => {
  const c = d.capacity;
  if (!c) return 'default';
  if (c.origin === 'default') return 'default-no-dmips';
  if (c.origin === 'partial') return 'default-partial-dmips';
  if (c.origin === 'boot') return 'capacity-dmips-mhz-boot';
  return 'capacity-dmips-mhz';
};

/** One domain of a device tree as the kernel of the era registers it; throws its reason when it would not. */
export function domainFromDt(d: DtDomain, o: DomainOptions, file: string): ModelDomain {
  const era = eraOf(o);
  if (d.problem) throw invalidData(d.problem);
  const coefficient = o.coefficient ?? d.coefficient;
  const cpu = d.cpu && !o.device;
  const capacity = o.capacity ?? d.capacity?.capacity ?? 1024;
  const rows = dtRows(d, coefficient, file);
  const states = tableFromRows(rows, { capacity, cpu, era, where: file });
  const notes = [...d.notes];
  if (d.microwatt) notes.push(`${d.name}: powers from opp-microwatt (the lowest OPP has one: _of_has_opp_microwatt_property)`);
  return {
    name: d.name, origin: { kind: 'device-tree', file, node: d.path, table: d.table.path }, cpu,
    cpus: d.cpus, nrCpus: o.cpus ?? (d.cpus ? d.cpus.length : null),
    capacity, capacitySource: o.capacity !== undefined ? 'given' : dtCapacitySource(d), coefficient: d.microwatt ? null : coefficient, era, states,
    hasPerformance: true, supportedHw: d.supportedHw, notes,
  };
}

const oppReadOptions = (o: DomainOptions) => {
  const era = eraOf(o);
  return { supportedHw: o.supportedHw ?? null, oppName: o.oppName ?? null, kernel: [era.major, era.minor] as const };
};

const loadTree = async (file: string, o: DomainOptions) => {
  const { loadDeviceTree } = await import('../dts/load.js');
  return loadDeviceTree(file, { includeDirs: o.include ?? [], ...(o.cpp !== undefined ? { cpp: o.cpp } : {}) });
};

/** Every domain of a device tree (file, blob or directory): the tables built, and the ones the kernel would refuse. */
export async function loadDtDomains(file: string, o: DomainOptions): Promise<{ domains: ModelDomain[]; refused: Array<{ name: string; node: string; reason: string }>; how: string; notes: string[] }> {
  const [tree, { dtDomains }] = await Promise.all([loadTree(file, o), import('../dts/domains.js')]);
  const all = dtDomains(tree, file, oppReadOptions(o));
  const domains: ModelDomain[] = [];
  const refused: Array<{ name: string; node: string; reason: string }> = [];
  for (const d of all.domains) {
    try {
      domains.push(domainFromDt(d, o, file));
    } catch (err) {
      if (err instanceof Error && 'exitCode' in err && (err as { exitCode: number }).exitCode === 6) refused.push({ name: d.name, node: d.path, reason: err.message.replace(`${file}: `, '') });
      else throw err;
    }
  }
  return { domains, refused, how: tree.how, notes: tree.notes };
}

/** A table from a device tree (`dts`) or a CSV/JSON file (`oppFile`); each parser is loaded only when its input is given. */
export async function loadDomainFromFile(o: DomainOptions & ({ dts: string } | { oppFile: string })): Promise<ModelDomain> {
  const era = eraOf(o);
  const capacity = o.capacity ?? 1024;
  const coefficient = o.coefficient ?? null;
  const notes: string[] = [];
  if (o.dts !== undefined) {
    const [tree, { dtDomains }, { pickTable, readOpps }] = await Promise.all([loadTree(o.dts, o), import('../dts/domains.js'), import('../dts/opp.js')]);
    notes.push(...tree.notes);
    const readOpts = oppReadOptions(o);
    const all = dtDomains(tree, o.dts, readOpts);
    const table = pickTable(all.tables, o.dts, o.table);
    // the domain the kernel builds on this table (the CPUs' policy, or the device), when a device uses it
    const d = all.domains.find((x) => x.table === table);
    if (d) {
      // the table the kernel would not take: read again for the error itself (its hint and reason)
      if (d.problem) { readOpps(table, o.dts, readOpts); throw invalidData(d.problem); }
      const md = domainFromDt(d, o, o.dts);
      if (o.coefficient === undefined && md.coefficient !== null) md.notes.push(`dynamic-power-coefficient ${md.coefficient} from ${d.path}`);
      return { ...md, origin: { kind: 'dts', file: o.dts, table: table.path }, name: table.labels[0] ?? table.name, notes: [...notes, ...md.notes] };
    }
    // a table nobody registers (no CPU policy, no device with a coefficient): modelled as asked
    const r = readOpps(table, o.dts, readOpts);
    notes.push(...r.notes);
    const microwatt = r.opps[0]!.powerUw !== null && r.opps[0]!.powerUw > 0;
    let coef = coefficient;
    if (coef === null) {
      const found = [...new Set(table.consumers.map((c) => c.coefficient).filter((c): c is number => c !== null && c > 0))];
      if (found.length === 1) { coef = found[0]!; notes.push(`dynamic-power-coefficient ${coef} from ${table.consumers.find((c) => c.coefficient === coef)!.path}`); }
    }
    if (!microwatt && coef === null) {
      throw usageError(`${o.dts}: ${table.path} gives voltages, not powers: the dynamic-power-coefficient is needed`, undefined, 'needs-coefficient');
    }
    const cpuConsumers = table.consumers.filter((c) => c.cpu);
    const cpu = o.device ? false : table.consumers.length === 0 || cpuConsumers.length > 0;
    const pseudo: DtDomain = { name: table.name, cpu, cpus: null, path: table.path, table, opps: r.opps, problem: null, notes: [], supportedHw: r.supportedHw, coefficient: coef, microwatt, capacity: null };
    const rows = dtRows(pseudo, coef, o.dts);
    const states = tableFromRows(rows, { capacity, cpu, era, where: o.dts });
    return {
      name: table.labels[0] ?? table.name, origin: { kind: 'dts', file: o.dts, table: table.path }, cpu,
      cpus: null, nrCpus: o.cpus ?? (cpuConsumers.length || null),
      capacity, capacitySource: o.capacity !== undefined ? 'given' : 'default-no-cpu', coefficient: microwatt ? null : coef, era, states,
      hasPerformance: true, supportedHw: r.supportedHw, notes,
    };
  }
  const oppFile = o.oppFile!;
  const { readOppFile } = await import('./oppfile.js');
  const opps = readOppFile(oppFile);
  const rows: EmRow[] = opps.map((x) => {
    if (x.powerUw !== null) return { label: x.label, frequencyKhz: x.frequencyKhz, powerUw: x.powerUw, voltageUv: x.voltageUv, powerMw: null };
    if (coefficient === null) throw usageError(`${x.label}: a voltage without a power: the dynamic-power-coefficient is needed`, undefined, 'needs-coefficient');
    return { label: x.label, frequencyKhz: x.frequencyKhz, voltageUv: x.voltageUv, powerUw: oppPowerUw(coefficient, x.voltageUv!, x.frequencyKhz), powerMw: oppPowerMwPre60(coefficient, x.voltageUv!, x.frequencyKhz) };
  });
  const cpu = !o.device;
  const states = tableFromRows(rows, { capacity, cpu, era, where: oppFile });
  return {
    name: path.basename(oppFile).replace(/\.[^.]+$/, ''), origin: { kind: 'opp-file', file: oppFile }, cpu,
    cpus: null, nrCpus: o.cpus ?? null, capacity, capacitySource: o.capacity !== undefined ? 'given' : 'default', coefficient, era, states,
    hasPerformance: true, supportedHw: null, notes,
  };
}

/** `cpu4`, `cpu5` (a CPU of the domain), `ff9a0000.gpu`, or a DTPM leaf name `cpu4-cpufreq`. */
export function pickDomain(domains: PerfDomain[], ref: string, where: string): PerfDomain {
  const direct = domains.find((d) => d.name === ref);
  if (direct) return direct;
  const cpu = /^cpu([0-9]+)(?:-cpufreq)?$/.exec(ref);
  if (cpu) {
    const d = domains.find((x) => x.cpus?.includes(Number(cpu[1])));
    if (d) return d;
  }
  const base = ref.replace(/-devfreq$/, '');
  const dev = domains.find((d) => d.name === base);
  if (dev) return dev;
  throw notFound(`no energy-model domain '${ref}' in ${where}`,
    domains.length ? `domains: ${domains.map((d) => (d.cpus ? `${d.name} (CPUs ${d.cpus.join(',')})` : d.name)).join(', ')}` : 'this source has no energy model');
}

/**
 * A domain read from the energy model: the kernel's own table. A dump in mW (no `flags` file: a
 * kernel before 6.0) keeps the costs that kernel wrote. A kernel other than the current one, or a
 * capacity, re-derives the table under those rules from the dumped powers. A dump without
 * `performance` files (before 6.9) is shown without one; its states carry capacity × f / fmax
 * (em_init_performance) for the calculators.
 */
export function domainFromEm(d: PerfDomain, o: DomainOptions, where: string): ModelDomain {
  // `current` is the default era itself: only another kernel re-derives the dump
  const explicitEra = o.era !== undefined && o.era !== DEFAULT_ERA;
  const dumpedPerformance = d.hasPerformance !== false;
  // the kernel that wrote it: mW before 6.0, µW without performance files 6.0–6.8, 6.9 on
  const era = explicitEra ? o.era!
    : !d.microwatts ? { major: 5, minor: 14, name: 'before 6.0', asDumped: true }
    : !dumpedPerformance ? { major: 6, minor: 8, name: '6.0–6.8', asDumped: true }
    : DEFAULT_ERA;
  const cpu = d.cpus !== null && !o.device;
  const notes: string[] = [];
  const top = d.states[d.states.length - 1]!;
  const scale = d.microwatts ? 1 : 1000;
  if (!d.microwatts) notes.push(`${d.name}: power values are mW (${d.flags === null ? 'no flags file: a kernel before 6.0' : 'flags bit0 clear'}): µW shown as mW × 1000`);
  if (d.artificial) notes.push(`${d.name}: an artificial EM: powers are on an abstract scale, not watts`);
  const dumpedCapacity = dumpedPerformance && top.performance > 0 ? top.performance : null;
  const capacity = o.capacity ?? dumpedCapacity ?? 1024;
  const capacitySource: CapacitySource = o.capacity !== undefined ? 'given' : dumpedCapacity !== null ? 'energy-model' : 'default-no-performance';
  const rederive = explicitEra || o.capacity !== undefined;
  let states: PerfState[];
  if (rederive) {
    states = tableFromRows(d.states.map((s, i) => ({ label: `${d.name} state ${i} (${s.frequencyKhz} kHz)`, frequencyKhz: s.frequencyKhz, powerUw: s.powerUw * scale, powerMw: scale === 1000 ? s.powerUw : null })), { capacity, cpu, era, where });
  } else {
    // the kernel's own table (mW before 6.0, its costs); without a dumped performance, em_init_performance()'s for the calculators
    const fmax = top.frequencyKhz;
    states = d.states.map((s) => ({
      ...s, powerUw: s.powerUw * scale, powerMw: scale === 1000 ? s.powerUw : s.powerMw,
      performance: dumpedPerformance || !cpu ? s.performance : performanceOf(capacity, s.frequencyKhz, fmax),
    }));
  }
  return {
    name: d.name, origin: { kind: 'energy-model', domain: d.name }, cpu, cpus: d.cpus, nrCpus: o.cpus ?? (d.cpus ? d.cpus.length : null),
    capacity, capacitySource, coefficient: null, era, states, hasPerformance: rederive || dumpedPerformance, supportedHw: null, notes,
  };
}

/**
 * The table em_cpu_energy() reads from 6.9 (cost = 10 × power / performance, and the inefficient
 * states of those costs): the domain's own when a 6.9 kernel built it, else one built from its
 * powers by those rules (a dump of an older kernel holds the costs of its own formula).
 */
export function currentRulesStates(d: ModelDomain): PerfState[] {
  if (eraRules(d.era).costByPerformance && !d.era.asDumped) return d.states;
  return buildEraStates(d.states, { capacity: d.capacity, cpu: d.cpu, era: DEFAULT_ERA });
}
