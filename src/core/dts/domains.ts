/**
 * The performance domains a kernel would register from a device tree:
 * - CPUs: the `device_type = "cpu"` nodes under /cpus, numbered in tree order (the logical CPU
 *   numbers of an arm64 boot), grouped into cpufreq policies as cpufreq-dt does with
 *   dev_pm_opp_of_get_sharing_cpus(): CPUs pointing at one table share a policy when the table has
 *   `opp-shared`, else each CPU is its own policy; the domain is named after the policy's first CPU
 *   (`cpu4`), as the energy model's debugfs directory is;
 * - devices: other nodes with an operating-points-v2 table and a dynamic-power-coefficient (a GPU),
 *   named as the platform bus names them (`gpu@ff9a0000` → `ff9a0000.gpu`, of_device_make_bus_id);
 * - whether an energy model is registered, as dev_pm_opp_of_register_em() (drivers/opp/of.c)
 *   decides: opp-microwatt on the lowest OPP (_of_has_opp_microwatt_property), else a non-zero
 *   dynamic-power-coefficient on the device (the policy's first CPU);
 * - CPU capacities from capacity-dmips-mhz and each policy's highest non-turbo frequency
 *   (kernel/arch-topology.ts).
 */
import { PowercapError } from '../errors.js';
import { normalizeCpuCapacities, type CpuCapacity } from '../kernel/arch-topology.js';
import { usesOppMicrowatt } from '../kernel/opp.js';
import { findPath, nodePath, type DtNode } from './tree.js';
import type { ParsedDts } from './parser.js';
import { oppTables, readOpps, stringsOf, u32Prop, type DtsOpp, type DtsOppTable, type OppHwFact, type OppReadOptions } from './opp.js';

export interface DtCpu {
  index: number;
  node: DtNode;
  path: string;
  table: DtsOppTable | null;
  dmipsMhz: number | null;
  capacity: CpuCapacity;
}

export interface DtDomain {
  name: string;
  cpu: boolean;
  /** logical CPU numbers, null for a device */
  cpus: number[] | null;
  /** the device node (the policy's first CPU) */
  path: string;
  table: DtsOppTable;
  /** the OPPs as the OPP core holds them, or why the table could not be read */
  opps: DtsOpp[] | null;
  problem: string | null;
  notes: string[];
  /** the table's opp-supported-hw OPPs and what the mask did, when it has some */
  supportedHw: OppHwFact | null;
  coefficient: number | null;
  /** the lowest OPP gives opp-microwatt: every power comes from opp-microwatt */
  microwatt: boolean;
  capacity: CpuCapacity | null;
}

export interface DtDomains {
  cpus: DtCpu[];
  domains: DtDomain[];
  tables: DtsOppTable[];
}

const readTable = (t: DtsOppTable, file: string, o: OppReadOptions) => {
  try {
    const r = readOpps(t, file, o);
    return { opps: r.opps, notes: r.notes, supportedHw: r.supportedHw, problem: null };
  } catch (err) {
    if (err instanceof PowercapError) return { opps: null, notes: [], supportedHw: null, problem: err.message };
    throw err;
  }
};

/** `gpu@ff9a0000` → `ff9a0000.gpu`; a node without unit address keeps its name */
export const busName = (n: DtNode) => { const [base, unit] = n.name.split('@'); return unit ? `${unit}.${base}` : n.name; };

export function dtDomains(dts: ParsedDts, file: string, o: OppReadOptions & { kernel?: readonly [number, number] } = {}): DtDomains {
  const tables = oppTables(dts);
  const tableOf = new Map<DtNode, DtsOppTable>();
  for (const t of tables) for (const c of t.consumers) if (!c.disabled) tableOf.set(c.node, t);
  const cpusNode = findPath(dts.root, '/cpus');
  const cpuNodes = (cpusNode?.children ?? []).filter((n) => stringsOf(n.props.get('device_type'))[0] === 'cpu' && !['disabled', 'fail'].includes(stringsOf(n.props.get('status'))[0] ?? ''));
  const read = new Map<DtsOppTable, ReturnType<typeof readTable>>();
  const readOnce = (t: DtsOppTable) => { let r = read.get(t); if (!r) { r = readTable(t, file, o); read.set(t, r); } return r; };

  // cpufreq policies
  const policies: DtNode[][] = [];
  const seen = new Set<DtNode>();
  for (const n of cpuNodes) {
    if (seen.has(n)) continue;
    const t = tableOf.get(n);
    const group = t && t.shared ? cpuNodes.filter((m) => tableOf.get(m) === t) : [n];
    for (const m of group) seen.add(m);
    policies.push(group);
  }
  // each CPU's reference frequency: its policy's highest non-turbo OPP (cpuinfo.max_freq)
  const maxFreq = (n: DtNode): number | null => {
    const t = tableOf.get(n);
    if (!t) return null;
    const r = readOnce(t);
    const normal = (r.opps ?? []).filter((x) => !x.turbo);
    return normal.length ? normal[normal.length - 1]!.frequencyKhz : null;
  };
  const caps = normalizeCpuCapacities(cpuNodes.map((n) => ({ dmipsMhz: u32Prop(n, 'capacity-dmips-mhz'), maxFreqKhz: maxFreq(n) })), o.kernel);
  const cpus: DtCpu[] = cpuNodes.map((n, i) => ({ index: i, node: n, path: nodePath(n), table: tableOf.get(n) ?? null, dmipsMhz: u32Prop(n, 'capacity-dmips-mhz'), capacity: caps[i]! }));

  const domains: DtDomain[] = [];
  const domainOf = (name: string, dev: DtNode, t: DtsOppTable, cpuList: number[] | null, capacity: CpuCapacity | null): DtDomain => {
    const r = readOnce(t);
    const microwatt = usesOppMicrowatt(r.opps?.[0]?.powerUw ?? null);
    return { name, cpu: cpuList !== null, cpus: cpuList, path: nodePath(dev), table: t, opps: r.opps, problem: r.problem, notes: r.notes, supportedHw: r.supportedHw, coefficient: u32Prop(dev, 'dynamic-power-coefficient'), microwatt, capacity };
  };
  for (const group of policies) {
    const first = group[0]!;
    const t = tableOf.get(first);
    if (!t) continue; // no OPP table: no cpufreq-dt policy, no energy model
    const idx = group.map((m) => cpuNodes.indexOf(m));
    domains.push(domainOf(`cpu${idx[0]}`, first, t, idx, caps[idx[0]!]!));
  }
  for (const t of tables) {
    for (const c of t.consumers) {
      if (c.cpu || c.disabled) continue;
      if (c.coefficient === null) {
        // a device registers an EM with opp-microwatt alone too
        const r = readOnce(t);
        if (!(r.opps?.[0]?.powerUw)) continue;
      }
      domains.push(domainOf(busName(c.node), c.node, t, null, null));
    }
  }
  return { cpus, domains, tables };
}
