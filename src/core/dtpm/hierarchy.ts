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
import { inferRegistryEntry, leafTableFor } from './device.js';
import { addChild, getPowerUw, leafBounds, newNode, rebalance, type DtpmNode } from '../kernel/dtpm.js';

export type { DtpmNode } from '../kernel/dtpm.js';

export interface Hierarchy {
  roots: DtpmNode[];
  /** every node, parents before children */
  nodes: DtpmNode[];
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
  /** bounds as sysfs shows them (min null when max_power_range_uw is unreadable) */
  sysfsBounds?: { minUw: number | null; maxUw: number } | null;
}

export interface BuildOptions {
  /**
   * How a childless node whose name is not registered is taken:
   * - 'registered' (default): virtual; only registered names are devices (seed 000, as edited);
   * - 'inferred': a device when the energy model knows the name (device.ts inferRegistryEntry), else
   *   virtual (a tree as read, where a snapshot's registry may be incomplete);
   * - 'all-devices': a device, inferred or of kind 'other' (a live tree: the kernel built every leaf
   *   from a device).
   */
  leaves?: 'registered' | 'inferred' | 'all-devices';
}

export const MAX_NAME_BYTES = 255;

/**
 * A node name as mkdir in configfs takes it: not empty, no '/', not '.' or '..',
 * no control characters, at most NAME_MAX bytes; and as kernel device names read
 * (cpu0-cpufreq, ff9a0000.gpu): letters, digits and . - _ @ : + , only, so a name
 * never needs quoting in a shell or a C table. Refusal is a usage error (exit 2).
 */
export function validateNodeName(name: string): void {
  const hint = 'a node name is one path component: letters, digits, . - _ @ :, e.g. cluster0 or cpu0-cpufreq';
  if (name === '') throw usageError('empty node name', hint);
  if (name.includes('/')) throw usageError(`invalid node name '${name}': contains '/'`, hint);
  if (name === '.' || name === '..' || name.includes('..')) throw usageError(`invalid node name '${name}': '..' is not allowed`, hint);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw usageError(`invalid node name ${JSON.stringify(name)}: control characters are not allowed`, hint);
  const odd = /[^A-Za-z0-9._@:+,-]/.exec(name);
  if (odd) throw usageError(`invalid node name ${JSON.stringify(name)}: ${JSON.stringify(odd[0])} is not allowed`, hint);
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
  if (table) return { ...leafBounds(entry.kind, table), from: 'energy-model' };
  if (typeof entry.powerMaxUw === 'number') return { minUw: entry.powerMinUw ?? 0, maxUw: entry.powerMaxUw, from: 'registry' };
  return null;
}

/**
 * The one builder: nodes from specs (a zone tree, a configfs directory, a description file), linked,
 * devices resolved, then the kernel's bounds and weights per root (kernel/dtpm.ts rebalance()).
 * A device without a table takes the bounds sysfs shows for its zone, else its registry bounds.
 */
export function buildHierarchy(specs: NodeSpec[], registry: RegistryEntry[], domains: PerfDomain[], opts: BuildOptions = {}): Hierarchy {
  const leaves = opts.leaves ?? 'registered';
  const problems: Hierarchy['problems'] = [];
  const childCount = new Array<number>(specs.length).fill(0);
  for (const s of specs) if (s.parent !== null) childCount[s.parent]!++;
  const nodes: DtpmNode[] = [];
  const roots: DtpmNode[] = [];
  const placed = new Map<string, string>();
  const seenPaths = new Set<string>();
  specs.forEach((s, i) => {
    const parent = s.parent === null ? null : nodes[s.parent]!;
    const path = parent ? `${parent.path}/${s.name}` : s.name;
    let device = lookupDevice(registry, s.name);
    if (!device && leaves !== 'registered' && childCount[i] === 0) {
      device = inferRegistryEntry(s.name, domains) ?? (leaves === 'all-devices' ? { name: s.name, kind: 'other', domain: null, cpus: null } : null);
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
    const n = newNode(s.name, device ? device.kind : 'virtual', table, s.zoneId ?? null);
    n.path = path;
    n.device = device;
    if (!table && (device || s.sysfsBounds)) {
      // a zone that exists reports its bounds; a node not in sysfs yet takes the registry's
      const reg = device && typeof device.powerMaxUw === 'number' ? { minUw: device.powerMinUw ?? 0, maxUw: device.powerMaxUw } : null;
      const sys = s.sysfsBounds ? { maxUw: s.sysfsBounds.maxUw, minUw: s.sysfsBounds.minUw ?? device?.powerMinUw ?? 0 } : null;
      const b = sys ?? reg ?? { minUw: 0, maxUw: 0 };
      n.powerMinUw = b.minUw;
      n.powerMaxUw = b.maxUw;
    }
    n.powerUw = device ? (s.powerUw ?? 0) : 0;
    if (parent) {
      // a Set, not a scan of the siblings: 100 000 children of one node stay linear
      if (seenPaths.has(path)) problems.push({ path, message: `${path}: two nodes with this path` });
      addChild(parent, n);
    } else roots.push(n);
    seenPaths.add(path);
    nodes.push(n);
    // limits: what is stored, else the boot value (dtpm_register: a leaf gets its max, a virtual node 0)
    n.powerLimitUw = typeof s.limitUw === 'number' ? s.limitUw : device ? n.powerMaxUw : 0;
  });
  if (roots.length > 1) problems.push({ path: '', message: `${roots.length} roots (${roots.map((r) => r.name).join(', ')}): the kernel keeps a single DTPM root` });
  for (const r of roots) {
    rebalance(r);
    getPowerUw(r);
  }
  return { roots, nodes, registry, domains, problems };
}


/** The node at a path, or null. */
export function findNode(h: Hierarchy, parts: string[]): DtpmNode | null {
  let list: readonly DtpmNode[] = h.roots;
  let found: DtpmNode | null = null;
  for (const part of parts) {
    found = list.find((n) => n.name === part) ?? null;
    if (!found) return null;
    list = found.children;
  }
  return found;
}

/** Where a device is placed, or null. */
export function placementOf(h: Hierarchy, deviceName: string): DtpmNode | null {
  return h.nodes.find((n) => n.device?.name === deviceName) ?? null;
}

/** Depth-first list of a subtree, parents first. */
export function subtree(n: DtpmNode): DtpmNode[] {
  const out: DtpmNode[] = [n];
  for (const c of n.children) out.push(...subtree(c));
  return out;
}
