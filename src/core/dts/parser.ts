/**
 * The second stage of the device-tree reader: tokens (lexer.ts) to a tree of nodes (tree.ts),
 * following the dtc source syntax a board file uses: labels, `&label { … }` extensions,
 * `/bits/ 64 <…>`, cells in decimal or hex, `#include` / `/include/` of files next to the
 * source, `/delete-node/` and `/delete-property/`. Values it cannot evaluate (macros from
 * headers that are not there) become null cells; includes and references it cannot follow
 * become notes.
 */
import * as path from 'node:path';
import { Exit, PowercapError, invalidData } from '../errors.js';
import { readUserFile } from '../files.js';
import { evalExpr, tokenize, type Tok } from './lexer.js';
import { findPath, newDtNode, nodePath, type Cell, type DtNode, type DtValue } from './tree.js';

export interface ParsedDts {
  root: DtNode;
  labels: Map<string, DtNode>;
  /** includes and references that could not be followed */
  notes: string[];
}

/** What every file of one source (the board file and its includes) adds to. */
interface ParseState {
  root: DtNode;
  labels: Map<string, DtNode>;
  notes: string[];
  depth: number;
  includeDirs: string[];
}

/** Nodes nested deeper than this are refused (dtc has no limit, a real tree is under 10 deep). */
export const MAX_NODE_DEPTH = 256;

export function parseDts(text: string, file: string, opts: { includeDirs?: string[] } = {}): ParsedDts {
  const st: ParseState = { root: newDtNode('', null), labels: new Map(), notes: [], depth: 0, includeDirs: opts.includeDirs ?? [] };
  new FileParser(text, file, st).parseFile();
  return { root: st.root, labels: st.labels, notes: st.notes };
}

/** One file's tokens, read top-level statement by statement into the shared state. */
class FileParser {
  private readonly toks: Tok[];
  private p = 0;

  constructor(
    text: string,
    private readonly file: string,
    private readonly st: ParseState,
  ) {
    this.toks = tokenize(text, file);
  }

  // ---------------------------------------------------------------- tokens

  private peek(): Tok | undefined {
    return this.toks[this.p];
  }

  private next(): Tok | undefined {
    return this.toks[this.p++];
  }

  private where(): string {
    return `${this.file}:${this.toks[Math.min(this.p, this.toks.length - 1)]?.line ?? 1}`;
  }

  private fail(why: string): PowercapError {
    return invalidData(`${this.where()}: ${why}`, 'is this a device-tree source (.dts/.dtsi) file?');
  }

  private expect(v: string): void {
    const t = this.next();
    if (!t || t.v !== v || (t.t !== 'punct' && t.t !== 'word')) throw this.fail(`expected '${v}'${t ? ` before '${t.v}'` : ' at end of file'}`);
  }

  // ---------------------------------------------------------------- top level

  parseFile(): void {
    while (this.p < this.toks.length) {
      const t = this.toks[this.p]!;
      if (t.t === 'directive') { this.directive(t.v); this.p++; continue; }
      if (t.t === 'word' && (t.v === '/dts-v1/' || t.v === '/plugin/')) { this.p++; this.expect(';'); continue; }
      if (t.t === 'word' && t.v === '/memreserve/') { this.skipStatement(); continue; }
      if (t.t === 'word' && t.v === '/include/') { this.p++; this.includeDirective(); continue; }
      if (t.t === 'word' && t.v === '/delete-node/') { this.p++; this.deleteNodeByRef(); continue; }
      this.topNode();
    }
  }

  private skipStatement(): void {
    while (this.p < this.toks.length && this.toks[this.p]!.v !== ';') this.p++;
    this.p++;
  }

  /** `/ { … };` or `&label { … };` (an extension of a node defined earlier) */
  private topNode(): void {
    const labels = this.labels();
    const head = this.next();
    if (!head) throw this.fail(`label${labels.length > 1 ? 's' : ''} ${labels.join(', ')} at the end of the file label nothing`);
    let node: DtNode | undefined;
    if (head.t === 'word' && head.v === '/') node = this.st.root;
    else if (head.t === 'ref') {
      node = this.st.labels.get(head.v) ?? (head.v.startsWith('/') ? findPath(this.st.root, head.v) : undefined);
      if (!node) {
        this.st.notes.push(`${this.where()}: &${head.v} refers to a label this file does not define: skipped`);
        node = newDtNode(head.v, null); // parsed and dropped
      }
    } else throw this.fail(`a node ('/ {' or '&label {') expected, got '${head.v}'`);
    this.addLabels(node, labels);
    this.expect('{');
    this.body(node, 1);
  }

  /** `/delete-node/ &label;` at the top level */
  private deleteNodeByRef(): void {
    const r = this.next();
    if (r?.t === 'ref') {
      const target = this.st.labels.get(r.v) ?? findPath(this.st.root, r.v);
      if (target?.parent) target.parent.children = target.parent.children.filter((c) => c !== target);
    }
    this.expect(';');
  }

  // ---------------------------------------------------------------- includes

  private directive(d: string): void {
    const m = /^#\s*include\s+"([^"]+)"/.exec(d);
    if (m) this.include(m[1]!);
  }

  private includeDirective(): void {
    const f = this.next();
    if (f?.t !== 'str') throw this.fail('/include/ needs a file name in quotes');
    this.include(f.v);
  }

  /** A file next to the source, parsed into the same tree; one that is not there is a note. */
  private include(target: string): void {
    if (this.st.depth > 16) throw this.fail('includes nested too deeply');
    let text: string | null = null;
    let resolved = '';
    for (const dir of [path.dirname(this.file), ...this.st.includeDirs]) {
      resolved = path.resolve(dir, target);
      try {
        text = readUserFile(resolved, { what: 'included device-tree file' });
        break;
      } catch (err) {
        // not in this folder: the next one; anything else (a FIFO, a device, too large) is refused
        if (!(err instanceof PowercapError) || err.exitCode !== Exit.NOT_FOUND) throw err;
      }
    }
    if (text === null) {
      this.st.notes.push(`${this.where()}: include '${target}' not found next to the source${this.st.includeDirs.length ? ' or in the include folders' : ''}: skipped`);
      return;
    }
    this.st.depth++;
    new FileParser(text, resolved, this.st).parseFile();
    this.st.depth--;
  }

  // ---------------------------------------------------------------- nodes

  private labels(): string[] {
    const out: string[] = [];
    while (this.peek()?.t === 'label') out.push(this.next()!.v);
    return out;
  }

  private addLabels(n: DtNode, labels: string[]): void {
    for (const l of labels) {
      if (!n.labels.includes(l)) n.labels.push(l);
      this.st.labels.set(l, n);
    }
  }

  /** After '{': properties and child nodes until '}' (and its ';'). */
  private body(node: DtNode, depth: number): void {
    if (depth > MAX_NODE_DEPTH) throw this.fail(`nodes nested deeper than ${MAX_NODE_DEPTH}`);
    for (;;) {
      const t = this.peek();
      if (!t) throw this.fail(`missing '}' for node ${nodePath(node)}`);
      if (t.t === 'punct' && t.v === '}') {
        this.p++;
        if (this.peek()?.v === ';') this.p++;
        return;
      }
      if (t.t === 'directive') { this.directive(t.v); this.p++; continue; }
      if (t.t === 'word' && t.v === '/delete-property/') {
        this.p++;
        node.props.delete(this.next()?.v ?? '');
        this.expect(';');
        continue;
      }
      if (t.t === 'word' && t.v === '/delete-node/') {
        this.p++;
        const name = this.next()?.v ?? '';
        node.children = node.children.filter((c) => c.name !== name && c.name.split('@')[0] !== name);
        this.expect(';');
        continue;
      }
      if (t.t === 'word' && t.v === '/omit-if-no-ref/') { this.p++; continue; }
      this.member(node, depth);
    }
  }

  /** `name { … };` (a child, merged with one of the same name) or `name = value, …;` / `name;` */
  private member(node: DtNode, depth: number): void {
    const labels = this.labels();
    const nameTok = this.next();
    if (!nameTok || nameTok.t !== 'word') throw this.fail(`a property or node name expected, got '${nameTok?.v ?? 'end of file'}'`);
    if (this.peek()?.v === '{') {
      this.p++;
      let child = node.children.find((c) => c.name === nameTok.v);
      if (!child) {
        child = newDtNode(nameTok.v, node);
        node.children.push(child);
      }
      this.addLabels(child, labels);
      this.body(child, depth + 1);
      return;
    }
    const values: DtValue[] = [];
    if (this.peek()?.v === '=') {
      this.p++;
      const first = this.peek();
      if (first?.t === 'word' && first.v !== '/bits/') {
        // a bare macro (LED_FUNCTION_POWER) that only cpp could expand: skip this property, say so
        const line = first.line;
        while (this.peek() && this.peek()!.v !== ';' && this.peek()!.v !== '}') this.p++;
        this.expect(';');
        this.st.notes.push(`${this.file}:${line}: ${nodePath(node)}/${nameTok.v} = ${first.v}: a macro without its definition: property skipped`);
        return;
      }
      values.push(this.value());
      while (this.peek()?.v === ',') { this.p++; values.push(this.value()); }
    }
    this.expect(';');
    node.props.set(nameTok.v, values);
  }

  // ---------------------------------------------------------------- values

  /** A string, a reference, `[/bits/ N] <cells>` or `[bytes]`. */
  private value(): DtValue {
    const t = this.peek();
    if (!t) throw this.fail('value expected');
    if (t.t === 'str') { this.p++; return { kind: 'string', value: t.v }; }
    if (t.t === 'ref') { this.p++; return { kind: 'ref', ref: t.v }; }
    let bits = 32;
    if (t.t === 'word' && t.v === '/bits/') {
      this.p++;
      const b = this.next();
      bits = Number(b?.v);
      if (![8, 16, 32, 64].includes(bits)) throw this.fail(`bad /bits/ size '${b?.v}'`);
    }
    const open = this.peek();
    if (open?.v === '<') { this.p++; return this.cells(bits); }
    if (open?.v === '[') { this.p++; return this.bytes(); }
    throw this.fail(`unexpected '${open?.v ?? 'end of file'}' in a property value`);
  }

  private cells(bits: number): DtValue {
    const cells: Cell[] = [];
    const refs: string[] = [];
    while (this.peek() && this.peek()!.v !== '>') {
      const c = this.next()!;
      if (c.t === 'ref') { refs.push(c.v); cells.push(null); continue; }
      if (c.t === 'expr') {
        const shift = /(<<|>>)\s*\(?\s*(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(c.v);
        if (shift && BigInt(shift[2]!) >= 64n) throw this.fail(`shift by ${shift[2]} in (${c.v.slice(0, 40)}) is past 64 bits`);
        cells.push(this.inRange(evalExpr(c.v), bits, `(${c.v.slice(0, 40)})`));
        continue;
      }
      if (c.t === 'word') {
        const w = c.v.replace(/[uUlL]+$/, '');
        cells.push(/^0[xX][0-9a-fA-F]+$/.test(w) || /^[0-9]+$/.test(w) ? this.inRange(BigInt(w), bits, w) : null);
        continue;
      }
      if (c.t === 'punct' && c.v === '-') { cells.push(null); continue; }
      throw this.fail(`unexpected '${c.v}' in a cell list`);
    }
    if (!this.peek()) throw this.fail("missing '>'");
    this.p++;
    return { kind: 'cells', bits, cells, refs };
  }

  /** dtc: "integer value out of range" for a cell that does not fit its /bits/ size (expressions wrap, as in C). */
  private inRange(v: bigint | null, bits: number, text: string): bigint | null {
    if (v === null) return null;
    const mask = (1n << BigInt(bits)) - 1n;
    const all = (1n << 64n) - 1n;
    const u = v < 0n ? BigInt.asUintN(64, v) : v;
    // dtc accepts what fits, or a sign-extended negative value (all upper bits set)
    if ((u & ~mask) === 0n || (u <= all && (u | mask) === all)) return u & mask;
    if (true) throw this.fail(`integer value ${text.length > 24 ? `${text.slice(0, 24)}…` : text} out of range for ${bits}-bit cells`);
    return v;
  }

  private bytes(): DtValue {
    const bytes: number[] = [];
    while (this.peek() && this.peek()!.v !== ']') {
      const w = this.next()!.v;
      for (let k = 0; k + 1 < w.length + 1; k += 2) {
        const pair = w.slice(k, k + 2);
        if (pair) bytes.push(parseInt(pair, 16));
      }
    }
    this.p++;
    return { kind: 'bytes', bytes };
  }
}
