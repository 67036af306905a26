/**
 * A DTPM hierarchy as powercapctl edits it: named nodes with a path
 * (`soc/package/cluster0/cpu0-cpufreq`), each either a real device taken from
 * the registry of power devices (seed 000) or a virtual node aggregating its
 * children, with the kernel's arithmetic (bounds, weights, limits) from
 * kernel/dtpm.ts. Built from a powercap tree (snapshot or live), a configfs-style
 * directory or a description file: all three go through `buildHierarchy`.
 *
 * Rules (seed 000, drivers/powercap/dtpm.c):
 * - a name found in the registry is a real node; any other name is virtual;
 * - a device sits in at most one place; leaves have no children; one root
 *   (dtpm.c keeps a single `root`).
 * Breaking one of them in a stored hierarchy is recorded in `problems`.
 */
import type { RegistryEntry } from './device.js';
import type { PerfDomain } from '../em/debugfs.js';
import { usageError } from '../errors.js';
import { leafTableFor, inferRegistryEntry } from './fromTree.js';
import { addChild, newNode, rebalance, type DtpmNode } from '../kernel/dtpm.js';

export interface HNode {
  name: string;
  /** names from the root, '/'-separated */
  path: string;
  /** powercap zone id (`dtpm:0:1`) when the node exists in a tree, else null */
  zoneId: string | null;
  /** the registered device of a real node; null for a virtual node */
  device: RegistryEntry | null;
  parent: HNode | null;
  children: HNode[];
  /** the kernel's numbers: bounds, weight, stored limit */
  node: DtpmNode;
  /** instantaneous power (µW): a leaf's own reading (0 when unknown), a virtual node's the sum of its children */
  powerUw: number;
}

export interface Hierarchy {
  roots: HNode[];
  /** every node, parents before children */
  nodes: HNode[];
  registry: RegistryEntry[];
  domains: PerfDomain[];
  /** rule violations found in what was read (device placed twice, a device with children, two roots) */
  problems: Array<{ path: string; message: string }>;
}

/** One node as read from a tree, a configfs directory or a description file. */
export interface NodeSpec {
  name: string;
  /** index of the parent in the list (parents come first), null for a root */
  parent: number | null;
  zoneId?: string | null;
  /** the stored constraint_0_power_limit_uw; null/undefined: the boot value (leaf max, virtual 0) */
  limitUw?: number | null;
  powerUw?: number | null;
  /** bounds as sysfs shows them, used for a device with neither a table nor registry bounds */
  sysfsBounds?: { minUw: number; maxUw: number } | null;
}

export interface BuildOptions {
  /** a live tree has no registry: recognise childless nodes by name from the energy model */
  inferDevices?: boolean;
}

export const MAX_NAME_BYTES = 255;

/**
 * A node name as mkdir in configfs takes it: not empty, no '/', not '.' or '..',
 * no control characters, at most NAME_MAX bytes. Refusal is a usage error (exit 2).
 */
export function validateNodeName(name: string): void {
  const hint = 'a node name is one path component: letters, digits, . - _ @ :, e.g. cluster0 or cpu0-cpufreq';
  if (name === '') throw usageError('empty node name', hint);
  if (name.includes('/')) throw usageError(`invalid node name '${name}': contains '/'`, hint);
  if (name === '.' || name === '..' || name.includes('..')) throw usageError(`invalid node name '${name}': '..' is not allowed`, hint);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw usageError(`invalid node name ${JSON.stringify(name)}: control characters are not allowed`, hint);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw usageError(`invalid node name: longer than ${MAX_NAME_BYTES} bytes`, hint);
}

/** `soc/package/cpu0-cpufreq` → components, each checked. One leading or trailing '/' is tolerated. */
export function splitNodePath(path: string): string[] {
  let p = path;
  if (p.startsWith('/')) p = p.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') throw usageError('empty node path', 'give a path of node names from the root, e.g. soc/package/cpu0-cpufreq');
  const parts = p.split('/');
  for (const part of parts) {
    if (part === '') throw usageError(`invalid node path '${path}': empty component ('//')`, 'separate node names with a single /');
    validateNodeName(part);
  }
  return parts;
}

/** The registry entry a name refers to, or null (a virtual node). */
export function lookupDevice(registry: RegistryEntry[], name: string): RegistryEntry | null {
  return registry.find((r) => r.name === name) ?? null;
}

/** A device's power bounds: from its energy-model table (× online CPUs), else its registry bounds. */
export function deviceBounds(entry: RegistryEntry, domains: PerfDomain[]): { minUw: number; maxUw: number; from: 'energy-model' | 'registry' } | null {
  const table = leafTableFor(entry, domains);
  if (table) {
    const s = table.states;
    return { minUw: s[0]!.powerUw * table.nrCpus, maxUw: s[s.length - 1]!.powerUw * table.nrCpus, from: 'energy-model' };
  }
  if (typeof entry.powerMaxUw === 'number') return { minUw: entry.powerMinUw ?? 0, maxUw: entry.powerMaxUw, from: 'registry' };
  return null;
}

/** Build the nodes, link them, resolve devices, then the kernel's bounds and weights per root. */
export function buildHierarchy(specs: NodeSpec[], registry: RegistryEntry[], domains: PerfDomain[], opts: BuildOptions = {}): Hierarchy {
  const problems: Hierarchy['problems'] = [];
  const childCount = new Array<number>(specs.length).fill(0);
  for (const s of specs) if (s.parent !== null) childCount[s.parent]!++;
  const nodes: HNode[] = [];
  const roots: HNode[] = [];
  const placed = new Map<string, string>();
  specs.forEach((s, i) => {
    const parent = s.parent === null ? null : nodes[s.parent]!;
    const path = parent ? `${parent.path}/${s.name}` : s.name;
    let device = lookupDevice(registry, s.name);
    if (!device && opts.inferDevices && childCount[i] === 0) {
      device = inferRegistryEntry(s.name, domains) ?? { name: s.name, kind: 'other', domain: null, cpus: null };
    }
    if (device && childCount[i]! > 0) {
      problems.push({ path, message: `${path}: '${s.name}' is a registered device but has children (a device is a leaf)` });
      device = null;
    }
    if (device) {
      const prev = placed.get(device.name);
      if (prev !== undefined) problems.push({ path, message: `${path}: device '${device.name}' is already placed at ${prev}` });
      else placed.set(device.name, path);
    }
    const table = device ? leafTableFor(device, domains) : null;
    const dn = newNode(s.name, device ? device.kind : 'virtual', table, s.zoneId ?? null);
    if (device && !table) {
      const b = (typeof device.powerMaxUw === 'number' ? { minUw: device.powerMinUw ?? 0, maxUw: device.powerMaxUw } : null) ?? s.sysfsBounds ?? { minUw: 0, maxUw: 0 };
      dn.powerMinUw = b.minUw;
      dn.powerMaxUw = b.maxUw;
      dn.powerLimitUw = b.maxUw;
    }
    const h: HNode = { name: s.name, path, zoneId: s.zoneId ?? null, device, parent, children: [], node: dn, powerUw: device ? (s.powerUw ?? 0) : 0 };
    if (parent) {
      if (parent.children.some((c) => c.name === s.name)) problems.push({ path, message: `${path}: two nodes with this path` });
      parent.children.push(h);
      addChild(parent.node, dn);
    } else roots.push(h);
    nodes.push(h);
    // limits: what is stored, else the boot value (dtpm_register: a leaf gets its max, a virtual node 0)
    dn.powerLimitUw = typeof s.limitUw === 'number' ? s.limitUw : device ? dn.powerMaxUw : 0;
  });
  if (roots.length > 1) problems.push({ path: '', message: `${roots.length} roots (${roots.map((r) => r.name).join(', ')}): the kernel keeps a single DTPM root` });
  for (const r of roots) {
    rebalance(r.node);
    sumPower(r);
  }
  return { roots, nodes, registry, domains, problems };
}

function sumPower(n: HNode): number {
  if (n.children.length === 0) return n.powerUw;
  n.powerUw = n.children.reduce((a, c) => a + sumPower(c), 0);
  return n.powerUw;
}

/** The node at a path, or null. */
export function findNode(h: Hierarchy, parts: string[]): HNode | null {
  let list = h.roots;
  let found: HNode | null = null;
  for (const part of parts) {
    found = list.find((n) => n.name === part) ?? null;
    if (!found) return null;
    list = found.children;
  }
  return found;
}

/** Where a device is placed, or null. */
export function placementOf(h: Hierarchy, deviceName: string): HNode | null {
  return h.nodes.find((n) => n.device?.name === deviceName) ?? null;
}

/** Depth-first list of a subtree, parents first. */
export function subtree(n: HNode): HNode[] {
  const out: HNode[] = [n];
  for (const c of n.children) out.push(...subtree(c));
  return out;
}
