/**
 * The kernel table: the per-SoC array drivers/soc/rockchip/dtpm.c passes to
 * dtpm_create_hierarchy(), rendered from a hierarchy as C: entries in depth-first order,
 * `{ .name, .type = DTPM_NODE_VIRTUAL | DTPM_NODE_DT, .parent = &<table>[i] }`, a DT
 * node named by its device-tree path (one entry per CPU of a cluster, as mainline
 * lists them), ending with a sentinel. kernel-table-parser.ts reads the same form back.
 */
import type { Hierarchy } from './hierarchy.js';
import { dtPathsOf } from './registry.js';

/** A C identifier from the root's name: `rk3399` → `rk3399_hierarchy`. */
export function tableNameFor(h: Hierarchy): string {
  const base = (h.roots[0]?.name ?? 'soc').replace(/[^A-Za-z0-9_]/g, '_');
  return `${/^[0-9]/.test(base) ? `soc_${base}` : base}_hierarchy`;
}

export interface KernelTable {
  text: string;
  /** devices whose DT path was derived from the name (check them), or unknown */
  derived: string[];
  missing: string[];
}

/** Render the hierarchy as the kernel's per-SoC table (module comment). */
export function renderKernelTable(h: Hierarchy, tableName = tableNameFor(h)): KernelTable {
  const lines: string[] = [`static struct dtpm_node __initdata ${tableName}[] = {`];
  const index = new Map<unknown, number>();
  const derived: string[] = [];
  const missing: string[] = [];
  let i = 0;
  const entry = (name: string, type: string, parent: number | null, comment = '') => {
    const pad = ' '.repeat(`\t[${i}]{ `.length - 1);
    const parts = [`.name = ${cString(name)},${comment}`, `.type = ${type}${parent === null ? ' },' : ','}`];
    if (parent !== null) parts.push(`.parent = &${tableName}[${parent}] },`);
    lines.push(`\t[${i}]{ ${parts[0]}`);
    for (const p of parts.slice(1)) lines.push(`\t${pad}${p}`);
    return i++;
  };
  for (const n of h.nodes) {
    const parent = n.parent ? index.get(n.parent)! : null;
    if (!n.device) {
      index.set(n, entry(n.name, 'DTPM_NODE_VIRTUAL', parent));
      continue;
    }
    const dt = dtPathsOf(n.device);
    if (dt.paths.length === 0) {
      missing.push(n.device.name);
      entry(n.name, 'DTPM_NODE_DT', parent, ` /* ${cComment(n.device.name)}: no device-tree path known */`);
      continue;
    }
    if (dt.derived) derived.push(n.device.name);
    for (const p of dt.paths) entry(p, 'DTPM_NODE_DT', parent);
  }
  lines.push(`\t[${i}]{ /* sentinel */ }`, '};');
  return { text: lines.join('\n') + '\n', derived, missing };
}

/**
 * A C string literal: `\\`, `"` and every byte outside printable ASCII escaped as octal, so a
 * name cannot end the string, the line or the comment around it (names come from files).
 */
export function cString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f && !(b === 0x3f)) out += String.fromCharCode(b); // '?': no trigraphs
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** Text inside a C comment: no way to close it (`*` + `/`), no line break, printable ASCII only. */
export function cComment(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').replace(/\*\//g, '*?/');
}

