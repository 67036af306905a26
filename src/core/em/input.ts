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
  buildEraStates, DEFAULT_ERA, emTableProblemEra, eraRules, parseKernelEra, PerformanceZeroError,
  type EmRow, type KernelEra, type PerfState,
} from '../kernel/energy-model.js';
import type { PerfDomain } from './debugfs.js';
import type { DtDomain } from '../dts/domains.js';

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
  /** where the capacity came from, said in the output */
  capacitySource: string;
  coefficient: number | null;
  era: KernelEra;
  states: PerfState[];
  notes: string[];
}

export interface DomainOptions {
  dts?: string | undefined;
  table?: string | undefined;
  oppFile?: string | undefined;
  coefficient?: string | undefined;
  capacity?: string | undefined;
  device?: boolean | undefined;
  cpus?: string | undefined;
  /** a kernel version (`6.9`, `5.15.0-91-generic`), `current` or `pre-6.0` */
  kernel?: string | undefined;
  supportedHw?: string | undefined;
  oppName?: string | undefined;
  include?: string[] | undefined;
}

const wholeNumber = (what: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const t = v.trim();
  if (!/^[0-9]+$/.test(t)) throw usageError(`${what} '${v}' is not a whole number`);
  const n = Number(t);
  if (n < min || n > max) throw usageError(`${what} ${n} is out of range (${min} to ${max})`);
  return n;
};

export function parseCoefficient(v: string): number {
  const t = v.trim();
  if (!/^[0-9]+$/.test(t)) throw usageError(`coefficient '${v}' is not a whole number`, 'dynamic-power-coefficient from the device tree, e.g. --coefficient 436');
  const n = Number(t);
  if (n === 0) throw usageError('coefficient 0: every state would have zero power, which the kernel refuses', 'give the dynamic-power-coefficient of the domain, e.g. --coefficient 436');
  if (n > 0xffffffff) throw usageError(`coefficient ${n} does not fit the kernel's u32`);
  return n;
}

export const parseCapacity = (v: string) => wholeNumber('capacity', v, 1, 1024);
export const parseCpuCount = (v: string) => wholeNumber('CPU count', v, 1, 4096);

/** --kernel: a version (`6.9`, what `uname -r` prints), `current` (6.12) or `pre-6.0` (5.19). */
export function parseEra(v: string | undefined): KernelEra {
  if (v === undefined) return DEFAULT_ERA;
  const e = parseKernelEra(v);
  if (!e) throw usageError(`--kernel '${v}' is not a kernel version`, 'e.g. --kernel 6.9, --kernel 5.15, --kernel $(uname -r), current or pre-6.0');
  return e;
}

/** --supported-hw 0x3 or 0x3,0xff (one value per level, as the driver passes to dev_pm_opp_set_supported_hw). */
export function parseSupportedHw(v: string | undefined): number[] | null {
  if (v === undefined || v === 'all') return null;
  return v.split(',').map((x) => {
    const t = x.trim();
    if (!/^(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(t) || Number(t) > 0xffffffff) throw usageError(`--supported-hw '${v}': '${x}' is not a 32-bit number`, 'e.g. --supported-hw 0x3 (one mask per level: 0x3,0x1)');
    return Number(t);
  });
}

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
      'give --coefficient C to model it anyway');
  }
  return opps.map((x) => {
    const label = `${d.table.path}/${x.node}`;
    // dev_pm_opp_calc_power(): -EINVAL without a voltage
    if (!x.voltageUv || x.voltageUv < 1000) throw invalidData(`${where}: ${label} has no opp-microvolt: dev_pm_opp_calc_power() fails (-EINVAL) and the kernel registers no energy model`);
    return { label, frequencyKhz: x.frequencyKhz, voltageUv: x.voltageUv, powerUw: oppPowerUw(coefficient, x.voltageUv, x.frequencyKhz), powerMw: oppPowerMwPre60(coefficient, x.voltageUv, x.frequencyKhz) };
  });
}

const capacityText = (d: DtDomain) => {
  const c = d.capacity;
  if (!c) return 'default';
  if (c.origin === 'default') return 'the default: no CPU has capacity-dmips-mhz';
  if (c.origin === 'partial') return 'the default: some CPUs lack capacity-dmips-mhz (the kernel then uses 1024 for all)';
  if (c.origin === 'boot') return 'capacity-dmips-mhz alone: a CPU without an OPP table gets no cpufreq policy, so the boot-time values stay (arch_topology.c)';
  return 'capacity-dmips-mhz × max frequency, normalised (arch_topology.c)';
};

/** One domain of a device tree as the kernel of `era` registers it; throws its reason when it would not. */
export function domainFromDt(d: DtDomain, o: DomainOptions, file: string): ModelDomain {
  const era = parseEra(o.kernel);
  if (d.problem) throw invalidData(d.problem);
  const coefficient = o.coefficient !== undefined ? parseCoefficient(o.coefficient) : d.coefficient;
  const cpu = d.cpu && !o.device;
  const capacity = o.capacity !== undefined ? parseCapacity(o.capacity) : d.capacity?.capacity ?? 1024;
  const capacitySource = o.capacity !== undefined ? '--capacity' : capacityText(d);
  const rows = dtRows(d, coefficient, file);
  const states = tableFromRows(rows, { capacity, cpu, era, where: file });
  const notes = [...d.notes];
  if (d.microwatt) notes.push(`${d.name}: powers from opp-microwatt (the lowest OPP has one: _of_has_opp_microwatt_property)`);
  return {
    name: d.name, origin: { kind: 'device-tree', file, node: d.path, table: d.table.path }, cpu,
    cpus: d.cpus, nrCpus: o.cpus !== undefined ? parseCpuCount(o.cpus) : d.cpus ? d.cpus.length : null,
    capacity, capacitySource, coefficient: d.microwatt ? null : coefficient, era, states, notes,
  };
}

/** Every domain of a device tree (file, blob or directory): the tables built, and the ones the kernel would refuse. */
export async function loadDtDomains(file: string, o: DomainOptions): Promise<{ domains: ModelDomain[]; refused: Array<{ name: string; node: string; reason: string }>; how: string; notes: string[] }> {
  const era = parseEra(o.kernel);
  const [{ loadDeviceTree }, { dtDomains }] = await Promise.all([import('../dts/load.js'), import('../dts/domains.js')]);
  const tree = loadDeviceTree(file, { includeDirs: o.include ?? [] });
  const all = dtDomains(tree, file, { supportedHw: parseSupportedHw(o.supportedHw), oppName: o.oppName ?? null, kernel: [era.major, era.minor] });
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

/** A table from --dts or --opp-file (each parser is loaded only when its input is given). */
export async function loadDomainFromFile(o: DomainOptions): Promise<ModelDomain> {
  const era = parseEra(o.kernel);
  const capacity = o.capacity !== undefined ? parseCapacity(o.capacity) : 1024;
  const coefficient = o.coefficient !== undefined ? parseCoefficient(o.coefficient) : null;
  const nrCpusOpt = o.cpus !== undefined ? parseCpuCount(o.cpus) : null;
  const notes: string[] = [];
  if (o.dts !== undefined) {
    const [{ loadDeviceTree }, { dtDomains }, { pickTable, readOpps }] = await Promise.all([import('../dts/load.js'), import('../dts/domains.js'), import('../dts/opp.js')]);
    const tree = loadDeviceTree(o.dts, { includeDirs: o.include ?? [] });
    notes.push(...tree.notes);
    const readOpts = { supportedHw: parseSupportedHw(o.supportedHw), oppName: o.oppName ?? null, kernel: [era.major, era.minor] as const };
    const all = dtDomains(tree, o.dts, readOpts);
    const table = pickTable(all.tables, o.dts, o.table);
    // the domain the kernel builds on this table (the CPUs' policy, or the device), when a device uses it
    const d = all.domains.find((x) => x.table === table && (o.table === undefined || x.cpus === null || true));
    if (d) {
      if (d.problem) throw invalidData(d.problem);
      const md = domainFromDt({ ...d, coefficient: d.coefficient ?? (d.cpu ? null : d.coefficient) }, o, o.dts);
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
      throw usageError(`${o.dts}: ${table.path} gives voltages, not powers: the dynamic-power-coefficient is needed`,
        'give --coefficient C (the dynamic-power-coefficient of the CPU or device node)');
    }
    const cpuConsumers = table.consumers.filter((c) => c.cpu);
    const cpu = o.device ? false : table.consumers.length === 0 || cpuConsumers.length > 0;
    const pseudo: DtDomain = { name: table.name, cpu, cpus: null, path: table.path, table, opps: r.opps, problem: null, notes: [], coefficient: coef, microwatt, capacity: null };
    const rows = dtRows(pseudo, coef, o.dts);
    const states = tableFromRows(rows, { capacity, cpu, era, where: o.dts });
    return {
      name: table.labels[0] ?? table.name, origin: { kind: 'dts', file: o.dts, table: table.path }, cpu,
      cpus: null, nrCpus: nrCpusOpt ?? (cpuConsumers.length || null),
      capacity, capacitySource: o.capacity !== undefined ? '--capacity' : 'the default (no CPU uses this table)', coefficient: microwatt ? null : coef, era, states, notes,
    };
  }
  if (o.oppFile !== undefined) {
    const { readOppFile } = await import('./oppfile.js');
    const opps = readOppFile(o.oppFile);
    const rows: EmRow[] = opps.map((x) => {
      if (x.powerUw !== null) return { label: x.label, frequencyKhz: x.frequencyKhz, powerUw: x.powerUw, voltageUv: x.voltageUv, powerMw: null };
      if (coefficient === null) {
        throw usageError(`${x.label}: a voltage without a power: the dynamic-power-coefficient is needed`, 'give --coefficient C');
      }
      return { label: x.label, frequencyKhz: x.frequencyKhz, voltageUv: x.voltageUv, powerUw: oppPowerUw(coefficient, x.voltageUv!, x.frequencyKhz), powerMw: oppPowerMwPre60(coefficient, x.voltageUv!, x.frequencyKhz) };
    });
    const cpu = !o.device;
    const states = tableFromRows(rows, { capacity, cpu, era, where: o.oppFile });
    return {
      name: path.basename(o.oppFile).replace(/\.[^.]+$/, ''), origin: { kind: 'opp-file', file: o.oppFile }, cpu,
      cpus: null, nrCpus: nrCpusOpt, capacity, capacitySource: o.capacity !== undefined ? '--capacity' : 'the default', coefficient, era, states, notes,
    };
  }
  throw usageError('no table given', 'use --dts FILE --coefficient C, --opp-file FILE, or --domain NAME with a snapshot or --em-root');
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
 * kernel before 6.0) keeps the costs that kernel wrote; `--kernel` or `--capacity` re-derive the
 * table under those rules from the dumped powers.
 */
export function domainFromEm(d: PerfDomain, o: DomainOptions, where: string): ModelDomain {
  const explicitEra = o.kernel !== undefined && o.kernel !== 'current';
  const era = explicitEra ? parseEra(o.kernel) : d.microwatts ? DEFAULT_ERA : { major: 5, minor: 14, name: 'before 6.0', asDumped: true };
  const cpu = d.cpus !== null && !o.device;
  const notes: string[] = [];
  const top = d.states[d.states.length - 1]!;
  const scale = d.microwatts ? 1 : 1000;
  if (!d.microwatts) notes.push(`${d.name}: power values are mW (${d.flags === null ? 'no flags file: a kernel before 6.0' : 'flags bit0 clear'}): µW shown as mW × 1000`);
  if (d.artificial) notes.push(`${d.name}: an artificial EM: powers are on an abstract scale, not watts`);
  const capacity = o.capacity !== undefined ? parseCapacity(o.capacity) : top.performance > 0 ? top.performance : 1024;
  const capacitySource = o.capacity !== undefined ? '--capacity' : top.performance > 0 ? 'the energy model (performance of the top state)' : 'the default (the dump has no performance)';
  let states: PerfState[];
  if (explicitEra || o.capacity !== undefined) {
    states = tableFromRows(d.states.map((s, i) => ({ label: `${d.name} state ${i} (${s.frequencyKhz} kHz)`, frequencyKhz: s.frequencyKhz, powerUw: s.powerUw * scale, powerMw: scale === 1000 ? s.powerUw : null })), { capacity, cpu, era, where });
  } else if (scale !== 1) {
    // the old kernel's own table: power mW, its cost; performance as capacity × f / fmax for display
    const fmax = top.frequencyKhz;
    states = d.states.map((s) => ({ ...s, powerUw: s.powerUw * 1000, powerMw: s.powerUw, performance: s.performance || (cpu ? Math.floor((capacity * s.frequencyKhz) / fmax) : 0) }));
  } else {
    states = d.states.map((s) => ({ ...s }));
  }
  void eraRules;
  const nrCpus = o.cpus !== undefined ? parseCpuCount(o.cpus) : d.cpus ? d.cpus.length : null;
  return { name: d.name, origin: { kind: 'energy-model', domain: d.name }, cpu, cpus: d.cpus, nrCpus, capacity, capacitySource, coefficient: null, era, states, notes };
}
