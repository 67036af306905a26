/**
 * The last stage of the device-tree reader: the `operating-points-v2` tables of a parsed tree,
 * the devices (CPUs with their capacity-dmips-mhz, a GPU) that point at them with their
 * dynamic-power-coefficient, and the choice of one table for `model`.
 *
 * OPP rules (Documentation/devicetree/bindings/opp/opp-v2-base.yaml, drivers/opp/of.c):
 * - `opp-hz`: u64 Hz; several clocks give several values, the first is the CPU/device clock.
 * - `opp-microvolt`: one cell (target) or three (`<target min max>`) per supply; the first
 *   supply's target is the voltage the energy model uses.
 * - `opp-microwatt`: power given directly; used for the table when every OPP has it.
 * - OPP nodes with `status = "disabled"` are skipped; the OPP core sorts by frequency and
 *   refuses duplicates.
 */
import { readUserFile } from '../files.js';
import { invalidData, notFound, usageError } from '../errors.js';
import { findPath, nodePath, type Cell, type DtNode, type DtValue } from './tree.js';
import { parseDts, type ParsedDts } from './parser.js';

export interface DtsOpp {
  /** the OPP node's name, for messages (`opp-1800000000`, `opp07`) */
  node: string;
  frequencyKhz: number;
  frequencyHz: bigint;
  voltageUv: number | null;
  powerUw: number | null;
  turbo: boolean;
}

export interface DtsConsumer {
  path: string;
  labels: string[];
  /** device_type = "cpu" */
  cpu: boolean;
  /** dynamic-power-coefficient, when the node has one */
  coefficient: number | null;
  /** capacity-dmips-mhz, when present */
  capacityDmipsMhz: number | null;
}

export interface DtsOppTable {
  /** node name (`opp-table-0`) */
  name: string;
  path: string;
  labels: string[];
  shared: boolean;
  opps: DtsOpp[];
  /** devices whose `operating-points-v2` points here (CPUs of a cluster, a GPU) */
  consumers: DtsConsumer[];
}

function walkDt(n: DtNode, visit: (n: DtNode) => void): void {
  visit(n);
  for (const c of n.children) walkDt(c, visit);
}

const stringsOf = (v: DtValue[] | undefined): string[] => (v ?? []).flatMap((x) => (x.kind === 'string' ? [x.value] : []));

/** The numbers of a property as the kernel reads them: /bits/ 64 values, or 32-bit cells. */
function cellsOf(v: DtValue[] | undefined): { bits: number; cells: Cell[] } | null {
  if (!v || v.length === 0) return null;
  const all: Cell[] = [];
  let bits = 32;
  for (const x of v) {
    if (x.kind !== 'cells') return null;
    bits = x.bits;
    all.push(...x.cells);
  }
  return { bits, cells: all };
}

function u32Prop(n: DtNode, name: string): number | null {
  const c = cellsOf(n.props.get(name));
  const v = c?.cells[0];
  return v === undefined || v === null ? null : Number(v);
}

/** opp-hz: /bits/ 64 <hz…> → first value; plain cells: one cell is Hz, two cells are hi:lo of a u64. */
function oppHz(node: DtNode, where: string): bigint {
  const c = cellsOf(node.props.get('opp-hz'));
  const bad = (why: string) => invalidData(`${where}: opp-hz ${why}`, 'write it as opp-hz = /bits/ 64 <1800000000>;');
  if (!c || c.cells.length === 0) throw bad('has no value');
  if (c.cells.some((x) => x === null)) throw bad('is not a number');
  if (c.bits === 64) return c.cells[0]!;
  if (c.bits !== 32) throw bad(`uses /bits/ ${c.bits}`);
  if (c.cells.length === 1) return c.cells[0]!;
  return (c.cells[0]! << 32n) | c.cells[1]!;
}

export function oppTables(dts: ParsedDts, file: string): DtsOppTable[] {
  const tables: DtsOppTable[] = [];
  const byNode = new Map<DtNode, DtsOppTable>();
  walkDt(dts.root, (n) => {
    if (!stringsOf(n.props.get('compatible')).includes('operating-points-v2')) return;
    const opps: DtsOpp[] = [];
    for (const o of n.children) {
      if (!o.props.has('opp-hz')) continue;
      if (stringsOf(o.props.get('status'))[0] === 'disabled') continue;
      const where = `${file}: ${nodePath(o)}`;
      const hz = oppHz(o, where);
      const mv = cellsOf(o.props.get('opp-microvolt'));
      if (mv && mv.cells.some((x) => x === null)) throw invalidData(`${where}: opp-microvolt is not a number`);
      const mw = cellsOf(o.props.get('opp-microwatt'));
      if (mw && mw.cells.some((x) => x === null)) throw invalidData(`${where}: opp-microwatt is not a number`);
      opps.push({
        node: o.name,
        frequencyHz: hz,
        // the kernel stores the rate in Hz and the EM in kHz (Hz / 1000, truncated)
        frequencyKhz: Number(hz / 1000n),
        voltageUv: mv && mv.cells.length ? Number(mv.cells[0]) : null,
        powerUw: mw && mw.cells.length ? Number(mw.cells.reduce((a, b) => a! + b!, 0n)) : null,
        turbo: o.props.has('turbo-mode'),
      });
    }
    opps.sort((a, b) => (a.frequencyHz < b.frequencyHz ? -1 : a.frequencyHz > b.frequencyHz ? 1 : 0));
    for (let i = 1; i < opps.length; i++) {
      if (opps[i]!.frequencyHz === opps[i - 1]!.frequencyHz) {
        throw invalidData(`${file}: ${nodePath(n)}: OPPs ${opps[i - 1]!.node} and ${opps[i]!.node} have the same frequency ${opps[i]!.frequencyHz} Hz`,
          'the OPP core refuses duplicate OPPs: remove one');
      }
    }
    const t: DtsOppTable = { name: n.name, path: nodePath(n), labels: [...n.labels], shared: n.props.has('opp-shared'), opps, consumers: [] };
    tables.push(t);
    byNode.set(n, t);
  });
  walkDt(dts.root, (n) => {
    const v = n.props.get('operating-points-v2');
    if (!v) return;
    for (const x of v) {
      const refs = x.kind === 'cells' ? x.refs : x.kind === 'ref' ? [x.ref] : [];
      for (const r of refs) {
        const target = dts.labels.get(r) ?? (r.startsWith('/') ? findPath(dts.root, r) : undefined);
        const t = target ? byNode.get(target) : undefined;
        if (!t) continue;
        const coef = u32Prop(n, 'dynamic-power-coefficient');
        t.consumers.push({
          path: nodePath(n),
          labels: [...n.labels],
          cpu: stringsOf(n.props.get('device_type'))[0] === 'cpu',
          coefficient: coef,
          capacityDmipsMhz: u32Prop(n, 'capacity-dmips-mhz'),
        });
      }
    }
  });
  return tables;
}

const tableNames = (t: DtsOppTable) => [t.name, ...t.labels.map((l) => `&${l}`)].join(' / ');

/** Read FILE and pick one OPP table: by --table (node name, label, path, or a consumer's name/label). */
export function readDtsTable(file: string, want: string | undefined): { table: DtsOppTable; notes: string[] } {
  const text = readUserFile(file, { what: 'device-tree file', hint: 'give the path of a .dts/.dtsi file' });
  const dts = parseDts(text, file);
  const tables = oppTables(dts, file);
  if (tables.length === 0) {
    throw invalidData(`${file}: no OPP table (no node with compatible = "operating-points-v2")`,
      'give the file that holds the opp-table nodes (often <soc>-opp.dtsi), or use --opp-file');
  }
  let table: DtsOppTable | undefined;
  if (want === undefined) {
    if (tables.length > 1) {
      throw usageError(`${file} has ${tables.length} OPP tables: choose one with --table`, `tables: ${tables.map(tableNames).join(', ')}`);
    }
    table = tables[0]!;
  } else {
    const w = want.replace(/^&/, '');
    const matches = (t: DtsOppTable) =>
      t.name === w || t.path === w || t.labels.includes(w) ||
      t.consumers.some((c) => c.path === w || c.path.split('/').pop() === w || c.labels.includes(w));
    table = tables.find(matches);
    if (!table) throw notFound(`${file}: no OPP table '${want}'`, `tables: ${tables.map(tableNames).join(', ')}`);
  }
  if (table.opps.length === 0) throw invalidData(`${file}: OPP table ${table.path} has no enabled OPP with opp-hz`);
  return { table, notes: dts.notes };
}
