/**
 * One performance domain's table, from whichever input the user gave: a device-tree
 * OPP table with a dynamic-power coefficient, a CSV/JSON table, or a domain of the
 * energy model (debugfs or a snapshot). The result is the table the kernel would hold,
 * built with its rules (table.ts), after the checks em_create_perf_table() makes.
 */
import * as path from 'node:path';
import { invalidData, notFound, usageError } from '../errors.js';
import { oppPowerMwPre60, oppPowerUw } from '../kernel/opp.js';
import { buildPerfStates, buildPerfStatesPre60, emTableProblem, type EmRow, type PerfState } from '../kernel/energy-model.js';
import type { PerfDomain } from './debugfs.js';

export type KernelRules = 'current' | 'pre-6.0';

export interface ModelDomain {
  name: string;
  /** where it came from, for output */
  origin: { kind: 'dts'; file: string; table: string } | { kind: 'opp-file'; file: string } | { kind: 'energy-model'; domain: string };
  cpu: boolean;
  /** CPUs of the domain when known (energy model, or CPU nodes pointing at a DTS table) */
  cpus: number[] | null;
  /** number of CPUs when known */
  nrCpus: number | null;
  capacity: number;
  coefficient: number | null;
  rules: KernelRules;
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
  kernel?: KernelRules | undefined;
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

/** Rows → the kernel's table, refusing what em_create_perf_table() refuses (exit 6, naming the row). */
export function tableFromRows(rows: EmRow[], opts: { capacity: number; cpu: boolean; rules: KernelRules; where: string }): PerfState[] {
  const problem = emTableProblem(rows);
  if (problem) {
    // row labels from a file already name it (`FILE: row 2`)
    const message = problem.message.startsWith(`${opts.where}: `) ? problem.message : `${opts.where}: ${problem.message}`;
    throw invalidData(message, 'the kernel refuses the whole table: fix that row');
  }
  return opts.rules === 'pre-6.0' ? buildPerfStatesPre60(rows, opts) : buildPerfStates(rows, opts);
}

/** A table from --dts or --opp-file (each parser is loaded only when its input is given). */
export async function loadDomainFromFile(o: DomainOptions): Promise<ModelDomain> {
  const rules = o.kernel ?? 'current';
  const capacity = o.capacity !== undefined ? parseCapacity(o.capacity) : 1024;
  let coefficient = o.coefficient !== undefined ? parseCoefficient(o.coefficient) : null;
  const nrCpusOpt = o.cpus !== undefined ? parseCpuCount(o.cpus) : null;
  const notes: string[] = [];
  if (o.dts !== undefined) {
    const { readDtsTable } = await import('../dts/opp.js');
    const { table, notes: n } = readDtsTable(o.dts, o.table);
    notes.push(...n);
    const cpuConsumers = table.consumers.filter((c) => c.cpu);
    const cpu = o.device ? false : table.consumers.length === 0 || cpuConsumers.length > 0;
    if (coefficient === null) {
      const found = [...new Set(table.consumers.map((c) => c.coefficient).filter((c): c is number => c !== null))];
      if (found.length === 1 && found[0]! > 0) {
        coefficient = found[0]!;
        notes.push(`dynamic-power-coefficient ${coefficient} from ${table.consumers.find((c) => c.coefficient === coefficient)!.path}`);
      }
    }
    const withPower = table.opps.filter((x) => x.powerUw !== null);
    const allPower = withPower.length === table.opps.length;
    if (withPower.length > 0 && !allPower) {
      const missing = table.opps.find((x) => x.powerUw === null)!;
      throw invalidData(`${o.dts}: ${table.path}/${missing.node} has no opp-microwatt while other OPPs of the table have one`,
        'the kernel uses opp-microwatt only when every OPP has it: add it, or remove them all to use the coefficient');
    }
    if (!allPower && coefficient === null) {
      throw usageError(`${o.dts}: ${table.path} gives voltages, not powers: the dynamic-power-coefficient is needed`,
        'give --coefficient C (the dynamic-power-coefficient of the CPU or device node)');
    }
    const rows: EmRow[] = table.opps.map((x) => {
      const label = `${table.path}/${x.node}`;
      if (allPower) return { label, frequencyKhz: x.frequencyKhz, powerUw: x.powerUw!, voltageUv: x.voltageUv, powerMw: Math.floor(x.powerUw! / 1000) };
      if (x.voltageUv === null) throw invalidData(`${o.dts}: ${label} has no opp-microvolt`, 'each OPP needs a voltage (or every OPP an opp-microwatt)');
      return { label, frequencyKhz: x.frequencyKhz, voltageUv: x.voltageUv, powerUw: oppPowerUw(coefficient!, x.voltageUv, x.frequencyKhz), powerMw: oppPowerMwPre60(coefficient!, x.voltageUv, x.frequencyKhz) };
    });
    const states = tableFromRows(rows, { capacity, cpu, rules, where: o.dts });
    const name = table.labels[0] ?? table.name;
    return {
      name, origin: { kind: 'dts', file: o.dts, table: table.path }, cpu,
      cpus: null, nrCpus: nrCpusOpt ?? (cpuConsumers.length || null),
      capacity, coefficient: allPower ? null : coefficient, rules, states, notes,
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
    const states = tableFromRows(rows, { capacity, cpu, rules, where: o.oppFile });
    return {
      name: path.basename(o.oppFile).replace(/\.[^.]+$/, ''), origin: { kind: 'opp-file', file: o.oppFile }, cpu,
      cpus: null, nrCpus: nrCpusOpt, capacity, coefficient, rules, states, notes,
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

/** A domain read from the energy model: the kernel's own table (re-derived for --kernel pre-6.0). */
export function domainFromEm(d: PerfDomain, o: DomainOptions, where: string): ModelDomain {
  const rules = o.kernel ?? 'current';
  const cpu = d.cpus !== null && !o.device;
  const notes: string[] = [];
  const top = d.states[d.states.length - 1]!;
  const scale = d.microwatts ? 1 : 1000;
  if (!d.microwatts) notes.push(`${d.name}: power values are mW (flags bit0 clear): shown in µW ×1000`);
  if (d.artificial) notes.push(`${d.name}: an artificial EM (flags bit2): powers are on an abstract scale, not µW`);
  const capacity = o.capacity !== undefined ? parseCapacity(o.capacity) : top.performance > 0 ? top.performance : 1024;
  let states: PerfState[];
  if (rules === 'pre-6.0' || o.capacity !== undefined || scale !== 1) {
    states = tableFromRows(d.states.map((s, i) => ({ label: `${d.name} state ${i} (${s.frequencyKhz} kHz)`, frequencyKhz: s.frequencyKhz, powerUw: s.powerUw * scale })), { capacity, cpu, rules, where });
  } else {
    states = d.states.map((s) => ({ ...s }));
  }
  const nrCpus = o.cpus !== undefined ? parseCpuCount(o.cpus) : d.cpus ? d.cpus.length : null;
  return { name: d.name, origin: { kind: 'energy-model', domain: d.name }, cpu, cpus: d.cpus, nrCpus, capacity, coefficient: null, rules, states, notes };
}
