/**
 * The last stage of the device-tree reader: the `operating-points-v2` tables of a parsed tree,
 * the devices (CPUs with their capacity-dmips-mhz, a GPU) that point at them with their
 * dynamic-power-coefficient, and the OPPs of one table as the OPP core reads them.
 *
 * A table is read only when it is used (the kernel parses a table when a device asks for it): a
 * quirk in the GPU's table does not stop the CPUs'. OPP rules (drivers/opp/of.c, core.c; read
 * against v6.12):
 * - only available child nodes count (`status = "disabled"` skipped: for_each_available_child_of_node);
 * - the key is `opp-hz` (u64 Hz; several clocks give several values, the first is the device clock),
 *   else `opp-peak-kBps`, else `opp-level` (_read_opp_key): a table of levels only (a power domain's)
 *   has no frequencies and gives no energy model;
 * - `opp-supported-hw` (_opp_is_supported): with a mask of N levels the property holds versions of N
 *   cells, an OPP is kept when every level of one version ANDs non-zero with the mask; the mask is a
 *   driver's (fuses), so it is an option here (--supported-hw, default: every bit set, said in a note);
 * - `opp-microvolt-<name>` / `opp-microwatt-<name>` before the plain property when a name is set
 *   (_parse_named_prop; --opp-name);
 * - duplicates (_opp_is_duplicate): the same frequency with the same voltage is dropped silently (the
 *   first one stays), with another voltage the whole table fails (-EEXIST);
 * - `turbo-mode` OPPs are in the table (and in the energy model), but not in cpufreq's max_freq.
 * Properties read from a binary tree (.dtb, /sys/firmware/devicetree/base) are bytes; the helpers
 * below read them as big-endian cells or NUL-separated strings, as of_property_read_* do.
 */
import { invalidData, notFound, usageError } from '../errors.js';
import { findPath, nodePath, type Cell, type DtNode, type DtValue } from './tree.js';
import { emFrequencyKhz, oppMicrowatts } from '../kernel/opp.js';
import type { ParsedDts } from './parser.js';

export interface DtsOpp {
  /** the OPP node's name, for messages (`opp-1800000000`, `opp07`) */
  node: string;
  frequencyKhz: number;
  frequencyHz: bigint;
  voltageUv: number | null;
  powerUw: number | null;
  turbo: boolean;
  /** the OPP has opp-supported-hw */
  hw?: boolean;
}

export interface DtsConsumer {
  node: DtNode;
  path: string;
  labels: string[];
  /** device_type = "cpu" */
  cpu: boolean;
  /** dynamic-power-coefficient, when the node has one */
  coefficient: number | null;
  /** capacity-dmips-mhz, when present */
  capacityDmipsMhz: number | null;
  /** status is not "okay": the kernel does not probe it (a .dtsi leaves it to the board) */
  disabled: boolean;
}

export interface DtsOppTable {
  /** node name (`opp-table-0`) */
  name: string;
  path: string;
  labels: string[];
  shared: boolean;
  node: DtNode;
  /** devices whose `operating-points-v2` points here (CPUs of a cluster, a GPU) */
  consumers: DtsConsumer[];
}

export interface OppReadOptions {
  /** the driver's opp-supported-hw mask, one value per level; null: every bit set */
  supportedHw?: number[] | null | undefined;
  /** dev_pm_opp_set_prop_name(): opp-microvolt-<name> first */
  oppName?: string | null | undefined;
}

export function walkDt(n: DtNode, visit: (n: DtNode) => void): void {
  const stack: DtNode[] = [n];
  while (stack.length) {
    const x = stack.pop()!;
    visit(x);
    for (let i = x.children.length - 1; i >= 0; i--) stack.push(x.children[i]!);
  }
}

/** Strings of a property: DTS strings, or a binary value's NUL-separated strings. */
export function stringsOf(v: DtValue[] | undefined): string[] {
  const out: string[] = [];
  for (const x of v ?? []) {
    if (x.kind === 'string') out.push(x.value);
    else if (x.kind === 'bytes' && x.bytes.length && x.bytes[x.bytes.length - 1] === 0) {
      out.push(...Buffer.from(x.bytes.slice(0, -1)).toString('latin1').split('\0'));
    }
  }
  return out;
}

/** The numbers of a property as the kernel reads them: /bits/ 64 values, or 32-bit cells (binary: big-endian u32). */
export function cellsOf(v: DtValue[] | undefined): { bits: number; cells: Cell[] } | null {
  if (!v || v.length === 0) return null;
  const all: Cell[] = [];
  let bits = 32;
  for (const x of v) {
    if (x.kind === 'bytes') {
      if (x.bytes.length % 4 !== 0) return null;
      for (let i = 0; i < x.bytes.length; i += 4) all.push(BigInt(((x.bytes[i]! << 24) >>> 0) + (x.bytes[i + 1]! << 16) + (x.bytes[i + 2]! << 8) + x.bytes[i + 3]!));
      continue;
    }
    if (x.kind !== 'cells') return null;
    bits = x.bits;
    all.push(...x.cells);
  }
  return { bits, cells: all };
}

export function u32Prop(n: DtNode, name: string): number | null {
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

/** phandle → node, for numeric references (`<0x12>` in a decompiled or binary tree). */
function phandles(root: DtNode): Map<bigint, DtNode> {
  const m = new Map<bigint, DtNode>();
  walkDt(root, (n) => {
    for (const p of ['phandle', 'linux,phandle']) {
      const c = cellsOf(n.props.get(p))?.cells[0];
      if (c != null) m.set(c, n);
    }
  });
  return m;
}

/** The nodes a phandle property points at: labels (`<&cluster0_opp>`) or numbers (`<0x12>`). */
export function refTargets(dts: ParsedDts, n: DtNode, prop: string, byPhandle: Map<bigint, DtNode>): DtNode[] {
  const out: DtNode[] = [];
  for (const x of n.props.get(prop) ?? []) {
    if (x.kind === 'cells') {
      for (const r of x.refs) { const t = dts.labels.get(r) ?? (r.startsWith('/') ? findPath(dts.root, r) : undefined); if (t) out.push(t); }
      if (x.refs.length === 0) for (const c of x.cells) { const t = c === null ? undefined : byPhandle.get(c); if (t) out.push(t); }
    } else if (x.kind === 'ref') {
      const t = dts.labels.get(x.ref) ?? (x.ref.startsWith('/') ? findPath(dts.root, x.ref) : undefined);
      if (t) out.push(t);
    } else if (x.kind === 'bytes') {
      for (const c of cellsOf([x])?.cells ?? []) { const t = c === null ? undefined : byPhandle.get(c); if (t) out.push(t); }
    }
  }
  return out;
}

const isDisabled = (n: DtNode) => { const s = stringsOf(n.props.get('status'))[0]; return s !== undefined && s !== 'okay' && s !== 'ok'; };

/** Every operating-points-v2 table with the devices using it (tables are not read yet). */
export function oppTables(dts: ParsedDts): DtsOppTable[] {
  const tables: DtsOppTable[] = [];
  const byNode = new Map<DtNode, DtsOppTable>();
  walkDt(dts.root, (n) => {
    if (!stringsOf(n.props.get('compatible')).includes('operating-points-v2')) return;
    const t: DtsOppTable = { name: n.name, path: nodePath(n), labels: [...n.labels], shared: n.props.has('opp-shared'), node: n, consumers: [] };
    tables.push(t);
    byNode.set(n, t);
  });
  const byPhandle = phandles(dts.root);
  walkDt(dts.root, (n) => {
    if (!n.props.has('operating-points-v2')) return;
    for (const target of refTargets(dts, n, 'operating-points-v2', byPhandle).slice(0, 1)) {
      const t = byNode.get(target);
      if (!t) continue;
      t.consumers.push({
        node: n,
        path: nodePath(n),
        labels: [...n.labels],
        cpu: stringsOf(n.props.get('device_type'))[0] === 'cpu',
        coefficient: u32Prop(n, 'dynamic-power-coefficient'),
        capacityDmipsMhz: u32Prop(n, 'capacity-dmips-mhz'),
        disabled: isDisabled(n),
      });
    }
  });
  return tables;
}

/** _opp_is_supported() with the mask (one value per level); null mask = every bit of one level. */
function supportedByHw(o: DtNode, mask: number[] | null): boolean {
  const c = cellsOf(o.props.get('opp-supported-hw'));
  if (!c) return true;
  const levels = mask ?? [0xffffffff];
  const count = c.cells.length;
  if (count === 0 || count % levels.length !== 0) return false;
  for (let i = 0; i < count / levels.length; i++) {
    let ok = true;
    for (let j = 0; j < levels.length; j++) {
      const v = c.cells[i * levels.length + j];
      if (v === null || v === undefined || (Number(v) & levels[j]!) === 0) { ok = false; break; }
    }
    if (ok) return true;
  }
  return false;
}

/** _parse_named_prop(): `opp-<type>-<name>` first when a name is set, else `opp-<type>`. */
function namedProp(o: DtNode, type: string, name: string | null | undefined): DtValue[] | undefined {
  if (name) { const v = o.props.get(`opp-${type}-${name}`); if (v) return v; }
  return o.props.get(`opp-${type}`);
}

/**
 * A table whose OPPs carry opp-supported-hw: how many, the mask they were read with (null: all
 * bits, every one kept: the driver sets the real mask from fuses) and how many it skipped.
 */
export interface OppHwFact {
  table: string;
  withProperty: number;
  mask: number[] | null;
  skipped: number;
}

/**
 * The OPPs of a table as the OPP core adds them: available nodes with a frequency, kept by
 * opp-supported-hw, sorted by frequency, duplicates handled as _opp_is_duplicate() does.
 * Throws (exit 6) what makes the kernel drop the table; `notes` says what was skipped, `supportedHw`
 * what the mask did.
 */
export function readOpps(table: DtsOppTable, file: string, opts: OppReadOptions = {}): { opps: DtsOpp[]; notes: string[]; supportedHw: OppHwFact | null } {
  const notes: string[] = [];
  const opps: DtsOpp[] = [];
  let unsupported = 0;
  let withHwProp = 0;
  let levelsOnly = 0;
  for (const o of table.node.children) {
    if (isDisabled(o)) continue;
    if (!o.props.has('opp-hz')) {
      if (o.props.has('opp-level') || o.props.has('opp-peak-kBps')) levelsOnly++;
      continue;
    }
    if (o.props.has('opp-supported-hw')) withHwProp++;
    if (!supportedByHw(o, opts.supportedHw ?? null)) { unsupported++; continue; }
    const where = `${file}: ${nodePath(o)}`;
    const hz = oppHz(o, where);
    const mv = cellsOf(namedProp(o, 'microvolt', opts.oppName));
    if (mv && mv.cells.some((x) => x === null)) throw invalidData(`${where}: opp-microvolt is not a number`);
    const mw = cellsOf(namedProp(o, 'microwatt', opts.oppName));
    if (mw && mw.cells.some((x) => x === null)) throw invalidData(`${where}: opp-microwatt is not a number`);
    opps.push({
      node: o.name,
      frequencyHz: hz,
      frequencyKhz: emFrequencyKhz(hz),
      voltageUv: mv && mv.cells.length ? Number(mv.cells[0]) : null,
      powerUw: mw && mw.cells.length ? oppMicrowatts(mw.cells as bigint[]) : null,
      turbo: o.props.has('turbo-mode'),
      hw: o.props.has('opp-supported-hw'),
    });
  }
  const supportedHw = withHwProp > 0 ? { table: table.path, withProperty: withHwProp, mask: opts.supportedHw ?? null, skipped: unsupported } : null;
  if (levelsOnly > 0 && opps.length === 0) {
    throw invalidData(`${file}: ${table.path} is a table of opp-level values without frequencies (a power domain's): it gives no energy model`);
  }
  // stable sort by frequency: the OPP core inserts in order, so the first of equal keys stays
  const sorted = opps.map((o, i) => ({ o, i })).sort((a, b) => (a.o.frequencyHz < b.o.frequencyHz ? -1 : a.o.frequencyHz > b.o.frequencyHz ? 1 : a.i - b.i)).map((x) => x.o);
  const out: DtsOpp[] = [];
  for (const o of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.frequencyHz === o.frequencyHz) {
      if (prev.voltageUv === o.voltageUv) { notes.push(`${table.path}: ${o.node} duplicates ${prev.node} (same frequency and voltage): dropped, as the OPP core does`); continue; }
      const hw = o.hw || prev.hw;
      throw invalidData(`${file}: ${table.path}: OPPs ${prev.node} and ${o.node} have the same frequency ${o.frequencyHz} Hz and different voltages`,
        `the OPP core refuses the whole table (_opp_is_duplicate: -EEXIST)${hw ? ': they carry opp-supported-hw' : ': remove one'}`, hw ? 'needs-hw-mask' : undefined);
    }
    out.push(o);
  }
  if (out.length === 0) throw invalidData(`${file}: OPP table ${table.path} has no enabled OPP with opp-hz`);
  return { opps: out, notes, supportedHw };
}

const tableNames = (t: DtsOppTable) => [t.name, ...t.labels.map((l) => `&${l}`)].join(' / ');

/** Pick one OPP table by what the user named (node name, label, path, or a consumer's name/label); the only one when none is named. */
export function pickTable(tables: DtsOppTable[], file: string, want: string | undefined): DtsOppTable {
  if (tables.length === 0) {
    throw invalidData(`${file}: no OPP table (no node with compatible = "operating-points-v2")`,
      'give the file that holds the opp-table nodes (often <soc>-opp.dtsi)', 'no-opp-table');
  }
  if (want === undefined) {
    if (tables.length > 1) {
      throw usageError(`${file} has ${tables.length} OPP tables`, `tables: ${tables.map(tableNames).join(', ')}`, 'several-tables');
    }
    return tables[0]!;
  }
  const w = want.replace(/^&/, '');
  const matches = (t: DtsOppTable) =>
    t.name === w || t.path === w || t.labels.includes(w) ||
    t.consumers.some((c) => c.path === w || c.path.split('/').pop() === w || c.labels.includes(w));
  const table = tables.find(matches);
  if (!table) throw notFound(`${file}: no OPP table '${want}'`, `tables: ${tables.map(tableNames).join(', ')}`);
  return table;
}
