/**
 * A kernel table read back (the form kernel-table-renderer.ts writes): DT entries are
 * mapped to registered devices through their (recorded or derived) device-tree paths.
 */
import type { RegistryEntry } from './device.js';
import { invalidData, notFound, refused } from '../errors.js';
import type { DescNode, Description } from './description.js';
import { orderNodes } from './node-order.js';
import { dtPathsOf } from './registry.js';

/**
 * Read a kernel table back (the form kernel-table-renderer.ts writes, `[N] = {` or plain `{` entries too;
 * a missing .type is DTPM_NODE_VIRTUAL, 0 in the enum). DT entries are matched to
 * registered devices by DT path; several entries of one device under the same
 * parent (the CPUs of a cluster) are one node.
 */
export function parseKernelTable(text: string, file: string, registry: RegistryEntry[]): Description {
  const body = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, '');
  const start = body.indexOf('{');
  if (start < 0 || !/\[\s*\]\s*=\s*\{/.test(body)) throw invalidData(`${file}: neither a JSON description nor a kernel table (static struct dtpm_node …[] = { … })`);
  const arrayStart = body.search(/\[\s*\]\s*=\s*\{/);
  const inner = body.slice(body.indexOf('{', arrayStart) + 1);
  const entries: Array<{ name: string; dt: boolean; parent: number | null }> = [];
  const re = /(?:\[\s*(\d+)\s*\]\s*=?\s*)?\{([^{}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner))) {
    const fields = m[2]!;
    if (fields.trim() === '') break; // the sentinel
    const name = /\.name\s*=\s*"((?:[^"\\\n]|\\.)*)"/.exec(fields)?.[1];
    if (name === undefined) throw invalidData(`${file}: entry ${entries.length} has no .name (or a string broken by a raw newline)`);
    const type = /\.type\s*=\s*(DTPM_NODE_VIRTUAL|DTPM_NODE_DT|\w+)/.exec(fields)?.[1] ?? 'DTPM_NODE_VIRTUAL';
    if (type !== 'DTPM_NODE_VIRTUAL' && type !== 'DTPM_NODE_DT') throw invalidData(`${file}: entry ${entries.length}: unknown type ${type}`);
    const p = /\.parent\s*=\s*&\s*\w+\s*\[\s*(\d+)\s*\]/.exec(fields);
    entries.push({ name: cStringValue(name, `${file}: entry ${entries.length}`), dt: type === 'DTPM_NODE_DT', parent: p ? Number(p[1]) : null });
  }
  if (entries.length === 0) throw invalidData(`${file}: the table has no entries`);
  // DT paths → registered devices
  const byPath = new Map<string, RegistryEntry>();
  for (const e of registry) for (const p of dtPathsOf(e).paths) if (!byPath.has(p)) byPath.set(p, e);
  const raw: Array<{ id: string; name: string; type: DescNode['type']; parent: string | null }> = [];
  const idOf = new Map<number, string>();
  const deviceNodes = new Map<string, { parent: string | null }>();
  const byName = new Map<string, RegistryEntry>();
  for (const r of registry) if (!byName.has(r.name)) byName.set(r.name, r);
  entries.forEach((e, i) => {
    if (e.parent !== null && (e.parent >= entries.length || e.parent < 0)) throw invalidData(`${file}: entry ${i} has an unknown parent [${e.parent}]`);
    const parent = e.parent === null ? null : String(e.parent);
    if (!e.dt) {
      raw.push({ id: String(i), name: e.name, type: 'virtual', parent });
      idOf.set(i, String(i));
      return;
    }
    // an entry exported without a DT path names the device itself
    const dev = byPath.get(e.name) ?? (e.name.startsWith('/') ? undefined : byName.get(e.name));
    if (!dev) throw notFound(`${file}: no registered device has the device-tree path ${e.name}`, undefined, 'dt-path-unknown');
    const same = deviceNodes.get(dev.name);
    if (same) {
      if (same.parent !== parent) throw refused(`${file}: device '${dev.name}' (${e.name}) is under two parents`);
      return;
    }
    const node = { id: String(i), name: dev.name, type: 'device' as const, parent };
    raw.push(node);
    deviceNodes.set(dev.name, node);
  });
  return orderNodes(raw, file);
}

/** The value of a C string literal's body (`a\\"b\\101`); a bad escape is invalid data (exit 6). */
export function cStringValue(body: string, where: string): string {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, '"': 34, "'": 39, '?': 63, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw invalidData(`${where}: the name ends in a lone backslash`);
    if (e in simple) { bytes.push(simple[e]!); continue; }
    const oct = /^[0-7]{1,3}/.exec(body.slice(i));
    if (oct) { bytes.push(parseInt(oct[0], 8) & 0xff); i += oct[0].length - 1; continue; }
    const hx = /^x([0-9a-fA-F]{1,2})/.exec(body.slice(i));
    if (hx) { bytes.push(parseInt(hx[1]!, 16)); i += hx[0].length - 1; continue; }
    throw invalidData(`${where}: '\\${e}' is not a C escape`);
  }
  return Buffer.from(bytes).toString('utf8');
}

