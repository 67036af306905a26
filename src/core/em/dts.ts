/**
 * A device-tree source reader for what the energy model needs: `operating-points-v2`
 * tables (drivers/opp/of.c) and the devices that point at them with their
 * `dynamic-power-coefficient`. It understands the dtc source syntax a board file uses:
 * comments, labels, `&label { … }` extensions, `/bits/ 64 <…>`, cells in decimal or hex
 * (two 32-bit cells make a 64-bit value), `#include` / `/include/` of files next to the
 * source, `/delete-node/` and `/delete-property/`. Values it cannot evaluate (macros from
 * headers that are not there) become null cells; only the OPP properties must be numbers.
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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidData, notFound, usageError } from '../errors.js';

export type Cell = bigint | null;

export type DtValue =
  | { kind: 'string'; value: string }
  | { kind: 'cells'; bits: number; cells: Cell[]; refs: string[] }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'ref'; ref: string };

export interface DtNode {
  name: string;
  labels: string[];
  props: Map<string, DtValue[]>;
  children: DtNode[];
  parent: DtNode | null;
}

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

// ------------------------------------------------------------------ tokenizer

type Tok = { t: 'word' | 'str' | 'punct' | 'label' | 'ref' | 'directive' | 'expr'; v: string; line: number };

const NAME_CH = /[A-Za-z0-9,._+*#?@-]/;

function tokenize(text: string, file: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const bad = (why: string) => invalidData(`${file}:${line}: ${why}`, 'is this a device-tree source (.dts/.dtsi) file?');
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && text[i + 1] === '/') { while (i < n && text[i] !== '\n') i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw bad('unterminated comment');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === '#') {
      // a preprocessor line (#include, #define …) unlike a property such as #address-cells
      const rest = /^#\s*(include|define|undef|if|ifdef|ifndef|else|elif|endif|pragma|error|warning)\b[^\n]*/.exec(text.slice(i, i + 400));
      if (rest) {
        toks.push({ t: 'directive', v: rest[0], line });
        i += rest[0].length;
        continue;
      }
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < n) { s += text[j + 1]; j += 2; continue; }
        if (text[j] === '\n') line++;
        s += text[j];
        j++;
      }
      if (j >= n) throw bad('unterminated string');
      toks.push({ t: 'str', v: s, line });
      i = j + 1;
      continue;
    }
    if (c === '&') {
      if (text[i + 1] === '{') {
        const end = text.indexOf('}', i);
        if (end < 0) throw bad('unterminated path reference');
        toks.push({ t: 'ref', v: text.slice(i + 2, end), line });
        i = end + 1;
        continue;
      }
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      if (j === i + 1) { toks.push({ t: 'punct', v: '&', line }); i++; continue; }
      toks.push({ t: 'ref', v: text.slice(i + 1, j), line });
      i = j;
      continue;
    }
    if (c === '(') {
      // a parenthesised integer expression inside cells: keep it whole
      let depth = 0;
      let j = i;
      for (; j < n; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')') { depth--; if (depth === 0) break; }
        else if (text[j] === '\n') line++;
      }
      if (j >= n) throw bad('unbalanced parenthesis');
      toks.push({ t: 'expr', v: text.slice(i + 1, j), line });
      i = j + 1;
      continue;
    }
    if (c === '/' ) {
      const m = /^\/[a-z0-9-]+\//.exec(text.slice(i, i + 40));
      if (m) { toks.push({ t: 'word', v: m[0], line }); i += m[0].length; continue; }
      // the root node `/`
      toks.push({ t: 'word', v: '/', line });
      i++;
      continue;
    }
    if ('{}<>;=,[]'.includes(c)) { toks.push({ t: 'punct', v: c, line }); i++; continue; }
    if (NAME_CH.test(c)) {
      let j = i;
      while (j < n && NAME_CH.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (text[j] === ':' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) {
        toks.push({ t: 'label', v: word, line });
        i = j + 1;
        continue;
      }
      toks.push({ t: 'word', v: word, line });
      i = j;
      continue;
    }
    throw bad(`unexpected character '${c}'`);
  }
  return toks;
}

// ------------------------------------------------------------------ expressions in cells

function evalExpr(src: string): bigint | null {
  const toks = src.match(/0[xX][0-9a-fA-F]+|[0-9]+|<<|>>|[-+*/%|&^~()]|\S+/g) ?? [];
  let p = 0;
  const num = (t: string): bigint | null => (/^0[xX][0-9a-fA-F]+$/.test(t) ? BigInt(t) : /^[0-9]+$/.test(t) ? BigInt(t) : null);
  const primary = (): bigint | null => {
    const t = toks[p++];
    if (t === undefined) return null;
    if (t === '(') { const v = bin(0); p++; return v; }
    if (t === '-') { const v = primary(); return v === null ? null : -v; }
    if (t === '~') { const v = primary(); return v === null ? null : ~v; }
    return num(t.replace(/[uUlL]+$/, ''));
  };
  const PREC: Record<string, number> = { '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };
  const bin = (min: number): bigint | null => {
    let left = primary();
    for (;;) {
      const op = toks[p];
      if (op === undefined || PREC[op] === undefined || PREC[op]! <= min - 1 || PREC[op]! < min) break;
      p++;
      const right = bin(PREC[op]! + 1);
      if (left === null || right === null) { left = null; continue; }
      switch (op) {
        case '|': left |= right; break;
        case '^': left ^= right; break;
        case '&': left &= right; break;
        case '<<': left <<= right; break;
        case '>>': left >>= right; break;
        case '+': left += right; break;
        case '-': left -= right; break;
        case '*': left *= right; break;
        case '/': left = right === 0n ? null : left / right; break;
        case '%': left = right === 0n ? null : left % right; break;
      }
    }
    return left;
  };
  try {
    const v = bin(1);
    return p === toks.length ? v : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ parser

interface ParseState {
  file: string;
  root: DtNode;
  labels: Map<string, DtNode>;
  notes: string[];
  depth: number;
}

const newDtNode = (name: string, parent: DtNode | null): DtNode => ({ name, labels: [], props: new Map(), children: [], parent });

export function nodePath(n: DtNode): string {
  const parts: string[] = [];
  for (let x: DtNode | null = n; x && x.parent; x = x.parent) parts.unshift(x.name);
  return '/' + parts.join('/');
}

function parseInto(text: string, file: string, st: ParseState): void {
  const toks = tokenize(text, file);
  let p = 0;
  const peek = () => toks[p];
  const where = () => `${file}:${toks[Math.min(p, toks.length - 1)]?.line ?? 1}`;
  const fail = (why: string) => invalidData(`${where()}: ${why}`, 'is this a device-tree source (.dts/.dtsi) file?');
  const expect = (v: string) => {
    const t = toks[p++];
    if (!t || t.v !== v || (t.t !== 'punct' && t.t !== 'word')) throw fail(`expected '${v}'${t ? ` before '${t.v}'` : ' at end of file'}`);
  };

  const include = (target: string) => {
    const resolved = path.resolve(path.dirname(file), target);
    if (st.depth > 16) throw fail('includes nested too deeply');
    let inc: string;
    try {
      inc = fs.readFileSync(resolved, 'utf8');
    } catch {
      st.notes.push(`${where()}: include '${target}' not found next to the source: skipped`);
      return;
    }
    st.depth++;
    parseInto(inc, resolved, st);
    st.depth--;
  };

  const parseValue = (): DtValue => {
    const t = toks[p];
    if (!t) throw fail('value expected');
    if (t.t === 'str') { p++; return { kind: 'string', value: t.v }; }
    if (t.t === 'ref') { p++; return { kind: 'ref', ref: t.v }; }
    let bits = 32;
    if (t.t === 'word' && t.v === '/bits/') {
      p++;
      const b = toks[p++];
      bits = Number(b?.v);
      if (![8, 16, 32, 64].includes(bits)) throw fail(`bad /bits/ size '${b?.v}'`);
    }
    const open = toks[p];
    if (open?.v === '<') {
      p++;
      const cells: Cell[] = [];
      const refs: string[] = [];
      while (toks[p] && toks[p]!.v !== '>') {
        const c = toks[p++]!;
        if (c.t === 'ref') { refs.push(c.v); cells.push(null); continue; }
        if (c.t === 'expr') { cells.push(evalExpr(c.v)); continue; }
        if (c.t === 'word') {
          const w = c.v.replace(/[uUlL]+$/, '');
          cells.push(/^0[xX][0-9a-fA-F]+$/.test(w) || /^[0-9]+$/.test(w) ? BigInt(w) : null);
          continue;
        }
        if (c.t === 'punct' && c.v === '-' ) { cells.push(null); continue; }
        throw fail(`unexpected '${c.v}' in a cell list`);
      }
      if (!toks[p]) throw fail("missing '>'");
      p++;
      return { kind: 'cells', bits, cells, refs };
    }
    if (open?.v === '[') {
      p++;
      const bytes: number[] = [];
      while (toks[p] && toks[p]!.v !== ']') {
        const w = toks[p++]!.v;
        for (let k = 0; k + 1 < w.length + 1; k += 2) {
          const pair = w.slice(k, k + 2);
          if (pair) bytes.push(parseInt(pair, 16));
        }
      }
      p++;
      return { kind: 'bytes', bytes };
    }
    throw fail(`unexpected '${open?.v ?? 'end of file'}' in a property value`);
  };

  const parseBody = (node: DtNode) => {
    // after '{', until '}' ';'
    for (;;) {
      const t = peek();
      if (!t) throw fail(`missing '}' for node ${nodePath(node)}`);
      if (t.t === 'punct' && t.v === '}') {
        p++;
        if (peek()?.v === ';') p++;
        return;
      }
      if (t.t === 'directive') { handleDirective(t.v); p++; continue; }
      if (t.t === 'word' && t.v === '/delete-property/') {
        p++;
        node.props.delete(toks[p++]?.v ?? '');
        expect(';');
        continue;
      }
      if (t.t === 'word' && t.v === '/delete-node/') {
        p++;
        const name = toks[p++]?.v ?? '';
        node.children = node.children.filter((c) => c.name !== name && c.name.split('@')[0] !== name);
        expect(';');
        continue;
      }
      if (t.t === 'word' && t.v === '/omit-if-no-ref/') { p++; continue; }
      const labels: string[] = [];
      while (peek()?.t === 'label') labels.push(toks[p++]!.v);
      const nameTok = toks[p++];
      if (!nameTok || nameTok.t !== 'word') throw fail(`a property or node name expected, got '${nameTok?.v ?? 'end of file'}'`);
      const next = peek();
      if (next?.v === '{') {
        p++;
        let child = node.children.find((c) => c.name === nameTok.v);
        if (!child) {
          child = newDtNode(nameTok.v, node);
          node.children.push(child);
        }
        addLabels(child, labels);
        parseBody(child);
        continue;
      }
      const values: DtValue[] = [];
      if (next?.v === '=') {
        p++;
        values.push(parseValue());
        while (peek()?.v === ',') { p++; values.push(parseValue()); }
      }
      expect(';');
      node.props.set(nameTok.v, values);
    }
  };

  const addLabels = (n: DtNode, labels: string[]) => {
    for (const l of labels) {
      if (!n.labels.includes(l)) n.labels.push(l);
      st.labels.set(l, n);
    }
  };

  const handleDirective = (d: string) => {
    const m = /^#\s*include\s+"([^"]+)"/.exec(d);
    if (m) include(m[1]!);
  };

  while (p < toks.length) {
    const t = toks[p]!;
    if (t.t === 'directive') { handleDirective(t.v); p++; continue; }
    if (t.t === 'word' && (t.v === '/dts-v1/' || t.v === '/plugin/')) { p++; expect(';'); continue; }
    if (t.t === 'word' && t.v === '/memreserve/') { while (p < toks.length && toks[p]!.v !== ';') p++; p++; continue; }
    if (t.t === 'word' && t.v === '/include/') {
      p++;
      const f = toks[p++];
      if (f?.t !== 'str') throw fail('/include/ needs a file name in quotes');
      include(f.v);
      continue;
    }
    if (t.t === 'word' && t.v === '/delete-node/') {
      p++;
      const r = toks[p++];
      if (r?.t === 'ref') {
        const target = st.labels.get(r.v) ?? findPath(st.root, r.v);
        if (target?.parent) target.parent.children = target.parent.children.filter((c) => c !== target);
      }
      expect(';');
      continue;
    }
    const labels: string[] = [];
    while (peek()?.t === 'label') labels.push(toks[p++]!.v);
    const head = toks[p++]!;
    let node: DtNode | undefined;
    if (head.t === 'word' && head.v === '/') node = st.root;
    else if (head.t === 'ref') {
      node = st.labels.get(head.v) ?? (head.v.startsWith('/') ? findPath(st.root, head.v) : undefined);
      if (!node) {
        st.notes.push(`${where()}: &${head.v} refers to a label this file does not define: skipped`);
        node = newDtNode(head.v, null); // parsed and dropped
      }
    } else throw fail(`a node ('/ {' or '&label {') expected, got '${head.v}'`);
    addLabels(node, labels);
    expect('{');
    parseBody(node);
  }
}

function findPath(root: DtNode, p: string): DtNode | undefined {
  let n: DtNode | undefined = root;
  for (const part of p.split('/').filter(Boolean)) {
    n = n?.children.find((c) => c.name === part || c.name.split('@')[0] === part);
    if (!n) return undefined;
  }
  return n;
}

export interface ParsedDts {
  root: DtNode;
  labels: Map<string, DtNode>;
  /** includes and references that could not be followed */
  notes: string[];
}

export function parseDts(text: string, file: string): ParsedDts {
  const st: ParseState = { file, root: newDtNode('', null), labels: new Map(), notes: [], depth: 0 };
  parseInto(text, file, st);
  return { root: st.root, labels: st.labels, notes: st.notes };
}

// ------------------------------------------------------------------ OPP tables

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
