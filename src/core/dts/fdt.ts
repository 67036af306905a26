/**
 * Binary device trees: a flattened tree blob (.dtb, /sys/firmware/fdt) and the live tree the
 * kernel exports (/sys/firmware/devicetree/base: a directory per node, a file of raw bytes per
 * property; /proc/device-tree links to it). Both become the same DtNode tree as a source file,
 * properties kept as bytes (opp.ts reads them as cells or strings).
 *
 * FDT layout (Devicetree Specification v0.4, §5): a 40-byte big-endian header (magic 0xd00dfeed,
 * totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version, last_comp_version,
 * boot_cpuid_phys, size_dt_strings, size_dt_struct), then a token stream: FDT_BEGIN_NODE (1)
 * + NUL-terminated name padded to 4 bytes, FDT_END_NODE (2), FDT_PROP (3) + len + nameoff +
 * value padded to 4, FDT_NOP (4), FDT_END (9). Labels come from the `__symbols__` node when the
 * blob was built with -@.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoOf, Exit, exitForErrno, invalidData, notFound, PowercapError } from '../errors.js';
import { findPath, newDtNode, type DtNode } from './tree.js';
import type { ParsedDts } from './parser.js';

export const FDT_MAGIC = 0xd00dfeed;
/** deeper than any real tree; a corrupt blob or a hostile directory stops here */
export const MAX_DT_DEPTH = 256;

export const isFdt = (b: Buffer) => b.length >= 4 && b.readUInt32BE(0) === FDT_MAGIC;

export function parseFdt(buf: Buffer, file: string): ParsedDts {
  const bad = (why: string) => invalidData(`${file}: not a valid device-tree blob: ${why}`, 'give a .dtb file, a .dts source, or a directory like /sys/firmware/devicetree/base');
  if (buf.length < 40 || !isFdt(buf)) throw bad('no FDT header');
  const total = buf.readUInt32BE(4);
  const offStruct = buf.readUInt32BE(8);
  const offStrings = buf.readUInt32BE(12);
  const version = buf.readUInt32BE(20);
  const sizeStrings = buf.readUInt32BE(32);
  const sizeStruct = version >= 17 ? buf.readUInt32BE(36) : total - offStruct;
  if (total > buf.length) throw bad(`totalsize ${total} is past the end of the file (${buf.length} bytes)`);
  if (offStruct + sizeStruct > total || offStrings + sizeStrings > total) throw bad('a block lies outside totalsize');
  const end = offStruct + sizeStruct;
  const root = newDtNode('', null);
  let cur: DtNode | null = null;
  let depth = 0;
  let p = offStruct;
  const u32 = () => { if (p + 4 > end) throw bad('truncated structure block'); const v = buf.readUInt32BE(p); p += 4; return v; };
  const cstr = (at: number, limit: number) => { const z = buf.indexOf(0, at); if (z < 0 || z >= limit) throw bad('unterminated name'); return buf.toString('latin1', at, z); };
  for (;;) {
    const tok = u32();
    if (tok === 1) {
      const name = cstr(p, end);
      p += (name.length + 4) & ~3;
      if (cur === null) { if (depth !== 0) throw bad('node outside the root'); cur = root; }
      else { const n = newDtNode(name, cur); cur.children.push(n); cur = n; }
      if (++depth > MAX_DT_DEPTH) throw bad(`nodes nested deeper than ${MAX_DT_DEPTH}`);
    } else if (tok === 2) {
      if (!cur) throw bad('unbalanced end of node');
      cur = cur.parent;
      depth--;
      if (depth === 0) { cur = null; }
    } else if (tok === 3) {
      const len = u32();
      const nameoff = u32();
      if (!cur) throw bad('property outside a node');
      if (p + len > end) throw bad('property runs past the structure block');
      if (nameoff >= sizeStrings) throw bad('property name offset outside the strings block');
      const name = cstr(offStrings + nameoff, offStrings + sizeStrings);
      cur.props.set(name, [{ kind: 'bytes', bytes: [...buf.subarray(p, p + len)] }]);
      p += (len + 3) & ~3;
    } else if (tok === 4) {
      continue;
    } else if (tok === 9) {
      break;
    } else throw bad(`unknown token 0x${tok.toString(16)} at offset ${p - 4}`);
  }
  if (depth !== 0) throw bad('the root node is not closed');
  return withSymbols({ root, labels: new Map(), notes: [] });
}

/** Labels from `__symbols__` (label = "/path/to/node"), as dtc -@ writes them. */
function withSymbols(dts: ParsedDts): ParsedDts {
  const sym = dts.root.children.find((c) => c.name === '__symbols__');
  if (!sym) return dts;
  for (const [label, v] of sym.props) {
    const b = v[0];
    if (b?.kind !== 'bytes') continue;
    const target = findPath(dts.root, Buffer.from(b.bytes).toString('latin1').replace(/\0+$/, ''));
    if (target) { target.labels.push(label); dts.labels.set(label, target); }
  }
  return dts;
}

/** Node names in unit-address order (`cpu@2` before `cpu@100`), as the source lists CPUs: readdir has no order. */
function byUnitAddress(a: string, b: string): number {
  const [na, ua] = a.split('@');
  const [nb, ub] = b.split('@');
  if (na === nb && ua !== undefined && ub !== undefined) {
    const x = parseInt(ua.split(',')[0]!, 16);
    const y = parseInt(ub.split(',')[0]!, 16);
    if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The live tree: a directory per node, a file of bytes per property (symbolic links are not followed). */
export function readDtDirectory(dir: string): ParsedDts {
  const fail = (err: unknown, p: string) => {
    const code = (err as NodeJS.ErrnoException).code;
    // what cannot be read is data that is not there (6), unless the errno says more
    const exit = exitForErrno(errnoOf(err), { otherwise: Exit.INVALID_DATA });
    if (exit === Exit.NOT_FOUND) return notFound(`no device tree at ${p}`, 'a device tree is a folder like /sys/firmware/devicetree/base, a .dtb or a .dts file');
    return new PowercapError(exit, `cannot read the device tree at ${p}: ${code ?? String(err)}`);
  };
  const root = newDtNode('', null);
  const stack: Array<{ node: DtNode; dir: string; depth: number }> = [{ node: root, dir, depth: 0 }];
  while (stack.length) {
    const { node, dir: d, depth } = stack.pop()!;
    if (depth > MAX_DT_DEPTH) throw invalidData(`${d}: nodes nested deeper than ${MAX_DT_DEPTH}`);
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch (err) { throw fail(err, d); }
    entries.sort((a, b) => byUnitAddress(a.name, b.name));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        const child = newDtNode(e.name, node);
        node.children.push(child);
        stack.push({ node: child, dir: p, depth: depth + 1 });
      } else if (e.isFile()) {
        if (e.name === 'name' && node !== root) continue; // the kernel's copy of the node name
        let b: Buffer;
        try { b = fs.readFileSync(p); } catch (err) { throw fail(err, p); }
        node.props.set(e.name, [{ kind: 'bytes', bytes: [...b] }]);
      }
    }
  }
  return withSymbols({ root, labels: new Map(), notes: [] });
}
