/**
 * Description files: a DTPM hierarchy written down, to import, export and paste.
 *
 * JSON (`dtpm export`, `dtpm import`):
 *   { "format": "powercapctl-dtpm", "version": 1,
 *     "nodes": [ { "id": "soc", "name": "soc", "type": "virtual", "parent": null },
 *                { "id": "soc/package", "name": "package", "type": "virtual", "parent": "soc" },
 *                { "id": "soc/package/cpu0-cpufreq", "name": "cpu0-cpufreq", "type": "device", "parent": "soc/package" } ] }
 * `id` is any unique string (default: the name), `parent` another node's id or null,
 * `type` optional (left out: a registered name is a device, any other virtual),
 * nodes in any order; siblings keep file order. Export adds informational keys
 * (powerMinUw, powerMaxUw, weight, dtPaths) that import ignores. An unknown parent,
 * a cycle, a duplicate id or a malformed file is invalid data (exit 6). `model budget --tree`
 * reads its own form (powers per node) through the same ordering (parseBudgetTree).
 *
 * Kernel table (`--format kernel-table`): the per-SoC array drivers/soc/rockchip/dtpm.c
 * passes to dtpm_create_hierarchy(): entries in depth-first order,
 * `{ .name, .type = DTPM_NODE_VIRTUAL | DTPM_NODE_DT, .parent = &<table>[i] }`, a DT
 * node named by its device-tree path (one entry per CPU of a cluster, as mainline
 * lists them), ending with a sentinel. Import reads the same form back, mapping
 * DT paths to registered devices through their (recorded or derived) paths.
 */
import type { RegistryEntry } from './device.js';
import { invalidData, notFound, refused } from '../errors.js';
import type { Hierarchy } from './hierarchy.js';
import { addChild, newNode, rebalance, type DtpmNode } from '../kernel/dtpm.js';
import { parsePowerUw } from '../units.js';
import { dtPathsOf } from './registry.js';

export const DESCRIPTION_FORMAT = 'powercapctl-dtpm';
export const DESCRIPTION_VERSION = 1;

export interface DescNode {
  name: string;
  /** 'auto' (type left out of a file): a registered name is a device, any other virtual, as create-node does */
  type: 'virtual' | 'device' | 'auto';
  /** index of the parent in `nodes` (parents come first), or null for the root */
  parent: number | null;
}

export interface Description {
  nodes: DescNode[];
}

/** What a hierarchy exports as: nodes parents first, siblings in order. */
export function describeHierarchy(h: Hierarchy): Description {
  return { nodes: h.nodes.map((n) => ({ name: n.name, type: n.device ? 'device' : 'virtual', parent: n.parent ? h.nodes.indexOf(n.parent) : null })) };
}

/** The JSON document `dtpm export` writes. */
export function descriptionJson(h: Hierarchy): Record<string, unknown> {
  return {
    format: DESCRIPTION_FORMAT,
    version: DESCRIPTION_VERSION,
    nodes: h.nodes.map((n) => ({
      id: n.path,
      name: n.name,
      type: n.device ? 'device' : 'virtual',
      parent: n.parent ? n.parent.path : null,
      ...(n.device ? { kind: n.device.kind, dtPaths: dtPathsOf(n.device).paths } : {}),
      powerMinUw: n.powerMinUw,
      powerMaxUw: n.powerMaxUw,
      weight: n.weight,
    })),
  };
}

/** Parse a description file: JSON, or a kernel table when the text is not JSON. */
export function parseDescription(text: string, file: string, registry: RegistryEntry[]): Description {
  const t = text.trim();
  if (t === '') throw invalidData(`${file}: the file is empty`);
  if (t.startsWith('{')) return parseDescriptionJson(t, file);
  return parseKernelTable(t, file, registry);
}

function parseDescriptionJson(text: string, file: string): Description {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (doc?.format !== DESCRIPTION_FORMAT) throw invalidData(`${file}: not a DTPM description (no "format": "${DESCRIPTION_FORMAT}")`, 'write one with `powercapctl dtpm export`');
  if (typeof doc.version === 'number' && doc.version > DESCRIPTION_VERSION) throw invalidData(`${file}: description version ${doc.version} is newer than this powercapctl reads`);
  if (!Array.isArray(doc.nodes)) throw invalidData(`${file}: "nodes" must be an array`);
  const raw = (doc.nodes as any[]).map((n, i) => {
    const where = `${file}: nodes[${i}]`;
    if (typeof n !== 'object' || n === null) throw invalidData(`${where}: not an object`);
    if (typeof n.name !== 'string') throw invalidData(`${where}: "name" must be a string`);
    const type = n.type ?? 'auto';
    if (type !== 'virtual' && type !== 'device' && type !== 'auto') throw invalidData(`${where}: "type" must be "virtual" or "device"`);
    const id = n.id === undefined ? n.name : n.id;
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidData(`${where}: "id" must be a string or a number`);
    const parent = n.parent ?? null;
    if (parent !== null && typeof parent !== 'string' && typeof parent !== 'number') throw invalidData(`${where}: "parent" must be an id or null`);
    return { id: String(id), name: n.name as string, type: type as DescNode['type'], parent: parent === null ? null : String(parent) };
  });
  return orderNodes(raw, file);
}

/**
 * Order nodes parents first (siblings in file order), refusing duplicate ids, unknown parents and
 * cycles (exit 6). Every description reader (`dtpm import`, `model budget --tree`) goes through here.
 */
export function orderByParent<T extends { id: string; parent: string | null }>(raw: readonly T[], file: string): Array<{ item: T; parent: number | null }> {
  const byId = new Map<string, number>();
  raw.forEach((n, i) => {
    if (byId.has(n.id)) throw invalidData(`${file}: two nodes with id '${n.id}'`);
    byId.set(n.id, i);
  });
  const kids = new Map<string | null, number[]>();
  for (let i = 0; i < raw.length; i++) {
    const n = raw[i]!;
    if (n.parent !== null && !byId.has(n.parent)) throw invalidData(`${file}: node '${n.id}' has an unknown parent '${n.parent}'`);
    const list = kids.get(n.parent);
    if (list) list.push(i);
    else kids.set(n.parent, [i]);
  }
  // a cycle: following parents from a node comes back to it
  for (const n of raw) {
    const seen = new Set<string>();
    let cur: string | null = n.id;
    while (cur !== null) {
      if (seen.has(cur)) throw invalidData(`${file}: the parents of '${n.id}' form a cycle (${[...seen].join(' → ')} → ${cur})`);
      seen.add(cur);
      cur = raw[byId.get(cur)!]!.parent;
    }
  }
  const out: Array<{ item: T; parent: number | null }> = [];
  const visit = (parentId: string | null, parentIndex: number | null) => {
    for (const i of kids.get(parentId) ?? []) {
      const at = out.length;
      out.push({ item: raw[i]!, parent: parentIndex });
      visit(raw[i]!.id, at);
    }
  };
  visit(null, null);
  return out;
}

/** orderByParent() for `dtpm import`: the description's nodes. */
export function orderNodes(raw: Array<{ id: string; name: string; type: DescNode['type']; parent: string | null }>, file: string): Description {
  return { nodes: orderByParent(raw, file).map(({ item, parent }) => ({ name: item.name, type: item.type, parent })) };
}

// ------------------------------------------------------------------ budget trees

/**
 * A DTPM tree with powers, for `model budget --tree`: nested `{name, powerMaxUw, powerMinUw,
 * requestUw, weight, children}` (or `{ "root": … }`), or `{ "nodes": [{name, parent, …}] }` read
 * through orderByParent() like every description. Powers are µW integers or strings with a unit.
 * Leaves are devices without a table (kind 'other') with the bounds given; inner nodes are virtual.
 */
export interface BudgetTree {
  root: DtpmNode;
  /** every node, parents first */
  nodes: DtpmNode[];
  requests: Map<DtpmNode, number>;
  weights: Map<DtpmNode, number>;
}

interface BudgetDesc { name?: unknown; parent?: unknown; children?: unknown; powerMaxUw?: unknown; powerMinUw?: unknown; requestUw?: unknown; weight?: unknown }

export function parseBudgetTree(text: string, file: string): BudgetTree {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  // `name` and `key` are joined only for a message: 10 000 leaves should not build 30 000 strings
  const num = (v: unknown, name: string, key: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'string') {
      try { return Number(parsePowerUw(v)); } catch (err) { throw invalidData(`${file}: ${name}.${key}: ${(err as Error).message}`); }
    }
    throw invalidData(`${file}: ${name}.${key} is not a power (µW integer or a string with a unit)`);
  };
  const nodes: DtpmNode[] = [];
  const requests = new Map<DtpmNode, number>();
  const weights = new Map<DtpmNode, number>();
  const pathOf = (parent: DtpmNode | null, name: unknown) => {
    const parts = [String(name)];
    for (let p = parent; p; p = p.parent) parts.unshift(p.name);
    return parts.join('/');
  };
  const add = (d: BudgetDesc, parent: DtpmNode | null, leaf: boolean): DtpmNode => {
    if (!d || typeof d !== 'object' || typeof d.name !== 'string' || d.name === '') throw invalidData(`${file}: ${pathOf(parent, '?')}: a node needs a name`);
    const n = newNode(d.name, leaf ? 'other' : 'virtual');
    if (leaf) {
      const m = num(d.powerMaxUw, d.name, 'powerMaxUw');
      if (m === null || m <= 0) throw invalidData(`${file}: leaf ${pathOf(parent, d.name)} has no powerMaxUw`, 'every leaf needs its maximum power');
      const min = num(d.powerMinUw, d.name, 'powerMinUw') ?? 0;
      if (min > m) throw invalidData(`${file}: leaf ${pathOf(parent, d.name)}: powerMinUw ${min} is above powerMaxUw ${m}`);
      n.powerMaxUw = m;
      n.powerMinUw = min;
      n.powerLimitUw = m;
      const r = num(d.requestUw, d.name, 'requestUw');
      if (r !== null) requests.set(n, r);
      if (d.weight !== undefined) {
        if (typeof d.weight !== 'number' || !Number.isInteger(d.weight) || d.weight < 0) throw invalidData(`${file}: ${d.name}.weight is not a whole number ≥ 0`);
        weights.set(n, d.weight);
      }
    }
    if (parent) addChild(parent, n);
    nodes.push(n);
    return n;
  };
  const o = doc as Record<string, unknown> | null;
  let root: DtpmNode;
  if (o && typeof o === 'object' && !Array.isArray(o) && Array.isArray(o.nodes)) {
    const raw = (o.nodes as BudgetDesc[]).map((x) => ({
      id: String(x?.name), parent: x?.parent === null || x?.parent === undefined ? null : String(x.parent), desc: x,
    }));
    const ordered = orderByParent(raw, file);
    const roots = ordered.filter((x) => x.parent === null).length;
    if (roots !== 1) throw invalidData(`${file}: ${roots} roots: a DTPM tree has one`);
    const hasKids = new Set(ordered.map((x) => x.parent));
    ordered.forEach(({ item, parent }, i) => add(item.desc, parent === null ? null : nodes[parent]!, !hasKids.has(i)));
    root = nodes[0]!;
  } else {
    const top = (o && typeof o === 'object' && !Array.isArray(o) && o.root ? o.root : doc) as BudgetDesc;
    const visit = (d: BudgetDesc, parent: DtpmNode | null): DtpmNode => {
      const kids = Array.isArray(d?.children) ? (d.children as BudgetDesc[]) : [];
      const n = add(d, parent, kids.length === 0);
      for (let k = 0; k < kids.length; k++) visit(kids[k]!, n);
      return n;
    };
    root = visit(top, null);
  }
  rebalance(root);
  return { root, nodes, requests, weights };
}

// ------------------------------------------------------------------ kernel table

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
    const parts = [`.name = ${JSON.stringify(name)},${comment}`, `.type = ${type}${parent === null ? ' },' : ','}`];
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
      entry(n.name, 'DTPM_NODE_DT', parent, ` /* ${n.device.name}: no device-tree path known */`);
      continue;
    }
    if (dt.derived) derived.push(n.device.name);
    for (const p of dt.paths) entry(p, 'DTPM_NODE_DT', parent);
  }
  lines.push(`\t[${i}]{ /* sentinel */ }`, '};');
  return { text: lines.join('\n') + '\n', derived, missing };
}

/**
 * Read a kernel table back (the form above, `[N] = {` or plain `{` entries too;
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
    const name = /\.name\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(fields)?.[1];
    if (name === undefined) throw invalidData(`${file}: entry ${entries.length} has no .name`);
    const type = /\.type\s*=\s*(DTPM_NODE_VIRTUAL|DTPM_NODE_DT|\w+)/.exec(fields)?.[1] ?? 'DTPM_NODE_VIRTUAL';
    if (type !== 'DTPM_NODE_VIRTUAL' && type !== 'DTPM_NODE_DT') throw invalidData(`${file}: entry ${entries.length}: unknown type ${type}`);
    const p = /\.parent\s*=\s*&\s*\w+\s*\[\s*(\d+)\s*\]/.exec(fields);
    entries.push({ name: JSON.parse(`"${name}"`) as string, dt: type === 'DTPM_NODE_DT', parent: p ? Number(p[1]) : null });
  }
  if (entries.length === 0) throw invalidData(`${file}: the table has no entries`);
  // DT paths → registered devices
  const byPath = new Map<string, RegistryEntry>();
  for (const e of registry) for (const p of dtPathsOf(e).paths) if (!byPath.has(p)) byPath.set(p, e);
  const raw: Array<{ id: string; name: string; type: DescNode['type']; parent: string | null }> = [];
  const idOf = new Map<number, string>();
  entries.forEach((e, i) => {
    if (e.parent !== null && (e.parent >= entries.length || e.parent < 0)) throw invalidData(`${file}: entry ${i} has an unknown parent [${e.parent}]`);
    const parent = e.parent === null ? null : String(e.parent);
    if (!e.dt) {
      raw.push({ id: String(i), name: e.name, type: 'virtual', parent });
      idOf.set(i, String(i));
      return;
    }
    // an entry exported without a DT path names the device itself
    const dev = byPath.get(e.name) ?? (e.name.startsWith('/') ? undefined : registry.find((r) => r.name === e.name));
    if (!dev) throw notFound(`${file}: no registered device has the device-tree path ${e.name}`, 'record it: powercapctl registry add NAME … --dt-path PATH');
    const same = raw.find((r) => r.name === dev.name);
    if (same) {
      if (same.parent !== parent) throw refused(`${file}: device '${dev.name}' (${e.name}) is under two parents`);
      return;
    }
    raw.push({ id: String(i), name: dev.name, type: 'device', parent });
  });
  return orderNodes(raw, file);
}
