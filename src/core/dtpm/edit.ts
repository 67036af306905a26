/**
 * Building a DTPM hierarchy by name (seed 000): create-node, delete-node and
 * import, on a target.
 *
 * A target (`DtpmTarget`) is one of:
 * - `{ kind: 'snapshot', snapshot }`: a SnapshotFile. The hierarchy IS the `dtpm`
 *   control type's zones (`dtpm/dtpm:0/dtpm:0:0/…`) with the attributes the kernel
 *   exposes; a change adds or removes zone directories (a new zone takes the lowest
 *   free id under its parent, as powercap_sys.c's idr does), recomputes bounds,
 *   weights and virtual power for the whole tree and rewrites the affected
 *   attributes (a new leaf's limit is its max, a new virtual node's 0, as after
 *   boot; stored limits are kept, as the kernel keeps them). The file is written
 *   atomically when the change succeeded (not with `dryRun`), never when refused.
 * - `{ kind: 'configfs', dir, registry, domains }`: a configfs-style directory
 *   (the seed's interface): mkdir / rmdir under `dir`; `registry` and `domains`
 *   tell which names the kernel would take as devices and their numbers.
 * - `{ kind: 'live', powercap, energyModel }`: a live sysfs tree, read-only: the
 *   kernel builds the hierarchy at boot (drivers/soc/rockchip/dtpm.c), so changes are refused
 *   with an explanation pointing to `dtpm export`.
 *
 * Every check happens before anything changes. Exit codes of refusals: bad name 2,
 * missing parent or device 3, rule refused 5 (child under a device, second root,
 * existing path, device already placed, node with children without `recursive`),
 * inconsistent stored hierarchy 6.
 */
import type { SnapshotFile } from '../snapshot/file.js';
import type { RegistryEntry } from './device.js';
import type { Source } from '../source/types.js';
import { TreeSource, type AttrValue, type DirNode } from '../source/tree.js';
import { readPowercapTree, type Zone } from '../zones/model.js';
import { readEnergyModel, type PerfDomain } from '../em/debugfs.js';
import { invalidData, notFound, refused } from '../errors.js';
import { DTPM_CONTROL_TYPE, zoneSpecs } from './fromTree.js';
import type { DtpmNode } from '../kernel/dtpm.js';
import { buildHierarchy, findNode, lookupDevice, placementOf, splitNodePath, subtree, type Hierarchy, type NodeSpec } from './hierarchy.js';
import { checkHierarchy, type Finding } from './check.js';
import { mkdirNodes, readConfigfs, rmdirNodes } from './configfs.js';
import type { Description } from './describe.js';
import { liveRegistry } from './registry.js';

export type DtpmTarget =
  | { kind: 'snapshot'; snapshot: SnapshotFile; dryRun?: boolean }
  | { kind: 'configfs'; dir: string; registry: RegistryEntry[]; domains: PerfDomain[]; dryRun?: boolean }
  | { kind: 'live'; powercap: Source; energyModel: Source | null };

export interface NodeChange {
  path: string;
  name: string;
  type: 'virtual' | 'device';
  /** the zone id in a snapshot, else null */
  zoneId: string | null;
}

export interface EditResult {
  /** nodes created (create-node, import) or removed (delete-node), in the order done */
  changes: NodeChange[];
  /** the hierarchy after the change (as it would be, with dryRun) */
  hierarchy: Hierarchy;
  /** checkHierarchy() on the result */
  findings: Finding[];
  /** devices that went back to the registry (delete-node) */
  returnedDevices: string[];
}

// ------------------------------------------------------------------ reading

/** The hierarchy a target holds now. */
export function readHierarchy(target: DtpmTarget): Hierarchy {
  switch (target.kind) {
    case 'snapshot': {
      const snap = target.snapshot;
      return buildHierarchy(treeSpecs(snap.powercap).specs, snap.registry, snapshotDomains(snap));
    }
    case 'configfs':
      return buildHierarchy(readConfigfs(target.dir), target.registry, target.domains);
    case 'live': {
      const domains = target.energyModel ? readEnergyModel(target.energyModel) : [];
      const { specs, zones } = treeSpecs(target.powercap);
      const leaves = zones.filter((z) => z.children.length === 0).map((z) => z.name ?? z.id);
      const h = buildHierarchy(specs, [], domains, { leaves: 'all-devices' });
      // the live registry: the leaves as devices plus energy-model domains not placed
      return { ...h, registry: liveRegistryOf(leaves, domains, h) };
    }
  }
}

function liveRegistryOf(leaves: string[], domains: PerfDomain[], h: Hierarchy): RegistryEntry[] {
  const reg = liveRegistry(leaves, domains);
  // use the entries the hierarchy resolved, so placement compares by identity of name
  return reg.map((e) => h.nodes.find((n) => n.device?.name === e.name)?.device ?? e);
}

/** The snapshot's energy model as the document holds it now (a domain may have been added since it was opened). */
export function snapshotDomains(snap: SnapshotFile): PerfDomain[] {
  const em = snap.doc.energyModel;
  if (!em) return [];
  const source = snap.energyModel && snap.energyModel.rootNode === em ? snap.energyModel : new TreeSource(em, snap.powercap.info);
  return readEnergyModel(source);
}

/** The `dtpm` zones of a source as node specs, parents first (fromTree.ts zoneSpecs). */
function treeSpecs(source: Source): { specs: NodeSpec[]; zones: Zone[] } {
  if (source.list('') === null) return { specs: [], zones: [] };
  return zoneSpecs(readPowercapTree(source));
}

function assertConsistent(h: Hierarchy, where: string): void {
  if (h.problems.length) {
    throw invalidData(`${where}: inconsistent DTPM hierarchy: ${h.problems[0]!.message}${h.problems.length > 1 ? ` (and ${h.problems.length - 1} more)` : ''}`,
      'see them all with `powercapctl dtpm check`; fix the file before changing it');
  }
}

export function targetLabel(target: DtpmTarget): string {
  switch (target.kind) {
    case 'snapshot': return target.snapshot.path;
    case 'configfs': return target.dir;
    case 'live': return target.powercap.info.kind === 'live' ? target.powercap.info.root : 'live tree';
  }
}

function refuseLive(): never {
  throw refused(
    'this kernel builds the DTPM hierarchy at boot from a per-SoC table (drivers/soc/*/dtpm.c): it cannot be changed at run time',
    'build it on a snapshot (--snapshot FILE), or on a configfs directory (--configfs DIR) where one exists; `powercapctl dtpm export --format kernel-table` renders the table for the kernel',
  );
}

// ------------------------------------------------------------------ create

export interface CreateOptions {
  /** create missing virtual parents, like mkdir -p */
  parents?: boolean;
  /** insist that the last component be a registered device ('device', exit 3 otherwise) or a virtual node ('virtual') */
  expect?: 'device' | 'virtual';
}

/** Create the node at `path` (see the module comment for the rules and the target). */
export function createNode(target: DtpmTarget, path: string, opts: CreateOptions = {}): EditResult {
  const parts = splitNodePath(path);
  if (target.kind === 'live') refuseLive();
  const h = readHierarchy(target);
  assertConsistent(h, targetLabel(target));

  let parent: DtpmNode | null = null;
  let i = 0;
  for (; i < parts.length; i++) {
    const next: DtpmNode | undefined = (parent ? parent.children : h.roots).find((n) => n.name === parts[i]);
    if (!next) break;
    if (next.device && i < parts.length - 1) {
      throw refused(`${next.path} is a device (${next.device.kind}): a device node has no children`, 'create the node under a virtual node');
    }
    parent = next;
  }
  const full = parts.join('/');
  if (i === parts.length) throw refused(`${full} already exists`);
  const missing = parts.slice(i);
  if (missing.length > 1 && !opts.parents) {
    throw notFound(`parent ${parts.slice(0, -1).join('/')} does not exist (${parts.slice(0, i + 1).join('/')} is missing)`,
      'create the parents first, or use -p/--parents to create them as virtual nodes');
  }
  if (!parent && h.roots.length > 0) {
    throw refused(`the hierarchy already has a root ('${h.roots[0]!.name}'): the kernel keeps one DTPM root`,
      `create the node under it: ${h.roots[0]!.name}/${full}`);
  }
  const planned: Array<{ name: string; path: string; device: RegistryEntry | null }> = [];
  let prefix = parent ? parent.path : '';
  missing.forEach((name, j) => {
    const device = lookupDevice(h.registry, name);
    const p = prefix ? `${prefix}/${name}` : name;
    if (device) {
      const at = placementOf(h, name);
      if (at) throw refused(`device '${name}' is already placed at ${at.path} (a device sits in one place)`, `move it: powercapctl delete-node ${at.path}, then create it here`);
      if (j < missing.length - 1) throw refused(`'${name}' is a registered device: it cannot have children (${parts.join('/')})`);
    }
    planned.push({ name, path: p, device });
    prefix = p;
  });
  const last = planned[planned.length - 1]!;
  if (opts.expect === 'device' && !last.device) {
    throw notFound(`no device '${last.name}' in the registry`, `registered: ${h.registry.map((e) => e.name).join(', ') || 'none'} (see powercapctl registry)`);
  }
  if (opts.expect === 'virtual' && last.device) {
    throw refused(`'${last.name}' is a registered device: it would be a real node, not a virtual one`);
  }

  const changes: NodeChange[] = planned.map((p) => ({ path: p.path, name: p.name, type: p.device ? 'device' : 'virtual', zoneId: null }));
  if (target.kind === 'configfs') {
    if (!target.dryRun) mkdirNodes(target.dir, planned.map((p) => p.path));
    const after = target.dryRun ? simulate(h, planned, target) : readHierarchy(target);
    return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices: [] };
  }
  const snap = target.snapshot;
  let parentZone: string | null = parent?.zoneId ?? null;
  for (const c of changes) {
    c.zoneId = addZoneDir(snap, parentZone, c.name);
    parentZone = c.zoneId;
  }
  const after = rewriteSnapshot(snap);
  if (!target.dryRun) snap.save();
  return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices: [] };
}

/** The hierarchy a configfs dry run would give. */
function simulate(h: Hierarchy, planned: Array<{ name: string; path: string }>, target: { registry: RegistryEntry[]; domains: PerfDomain[] }): Hierarchy {
  const specs: NodeSpec[] = h.nodes.map((n) => ({ name: n.name, parent: n.parent ? h.nodes.indexOf(n.parent) : null, zoneId: n.zoneId, limitUw: n.powerLimitUw, powerUw: n.powerUw }));
  const byPath = new Map(h.nodes.map((n, i) => [n.path, i]));
  for (const p of planned) {
    const pp = p.path.includes('/') ? p.path.slice(0, p.path.lastIndexOf('/')) : null;
    specs.push({ name: p.name, parent: pp === null ? null : byPath.get(pp)! });
    byPath.set(p.path, specs.length - 1);
  }
  return buildHierarchy(order(specs), target.registry, target.domains);
}

/** Specs sorted parents first (stable), for appended children. */
function order(specs: NodeSpec[]): NodeSpec[] {
  const kids = new Map<number | null, number[]>();
  specs.forEach((s, i) => kids.set(s.parent, [...(kids.get(s.parent) ?? []), i]));
  const out: NodeSpec[] = [];
  const newIndex = new Map<number, number>();
  const visit = (p: number | null) => {
    for (const i of kids.get(p) ?? []) {
      const s = specs[i]!;
      newIndex.set(i, out.length);
      out.push({ ...s, parent: s.parent === null ? null : newIndex.get(s.parent)! });
      visit(i);
    }
  };
  visit(null);
  return out;
}

// ------------------------------------------------------------------ delete

export interface DeleteOptions {
  /** delete a node with children, and all its descendants */
  recursive?: boolean;
}

/** Delete the node at `path`; a device node's device goes back to the registry. */
export function deleteNode(target: DtpmTarget, path: string, opts: DeleteOptions = {}): EditResult {
  const parts = splitNodePath(path);
  if (target.kind === 'live') refuseLive();
  const h = readHierarchy(target);
  assertConsistent(h, targetLabel(target));
  const node = findNode(h, parts);
  if (!node) {
    throw notFound(`no node ${parts.join('/')}`, h.nodes.length ? `nodes: ${h.nodes.slice(0, 12).map((n) => n.path).join(', ')}${h.nodes.length > 12 ? ', …' : ''}` : 'the hierarchy is empty');
  }
  if (node.children.length > 0 && !opts.recursive) {
    throw refused(`${node.path} has ${node.children.length} child${node.children.length === 1 ? '' : 'ren'} (${node.children.map((c) => c.name).join(', ')})`,
      'delete them first, or use -r/--recursive to delete the whole subtree');
  }
  const gone = subtree(node).reverse();
  const changes: NodeChange[] = gone.map((n) => ({ path: n.path, name: n.name, type: n.device ? 'device' : 'virtual', zoneId: n.zoneId }));
  const returnedDevices = gone.filter((n) => n.device).map((n) => n.device!.name);
  if (target.kind === 'configfs') {
    if (!target.dryRun) rmdirNodes(target.dir, gone.map((n) => n.path));
    const after = target.dryRun ? without(h, node, target) : readHierarchy(target);
    return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices };
  }
  const snap = target.snapshot;
  removeZoneDir(snap, node.zoneId!);
  const after = rewriteSnapshot(snap);
  if (!target.dryRun) snap.save();
  return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices };
}

function without(h: Hierarchy, gone: DtpmNode, target: { registry: RegistryEntry[]; domains: PerfDomain[] }): Hierarchy {
  const drop = new Set(subtree(gone));
  const kept = h.nodes.filter((n) => !drop.has(n));
  const specs = kept.map((n): NodeSpec => ({ name: n.name, parent: n.parent ? kept.indexOf(n.parent) : null, zoneId: n.zoneId, limitUw: n.powerLimitUw, powerUw: n.powerUw }));
  return buildHierarchy(specs, target.registry, target.domains);
}

// ------------------------------------------------------------------ import

export interface ImportOptions {
  /** replace an existing hierarchy (refused otherwise) */
  replace?: boolean;
}

/**
 * Build the hierarchy a description gives (describe.ts), replacing the target's
 * when `replace`. Every device must be registered (exit 3); a 'virtual' node whose
 * name is registered, a device placed twice, a device with children, more than
 * one root: refused (exit 5).
 */
export function importHierarchy(target: DtpmTarget, desc: Description, opts: ImportOptions = {}): EditResult {
  if (target.kind === 'live') refuseLive();
  const h = readHierarchy(target);
  if (h.nodes.length > 0 && !opts.replace) {
    throw refused(`${targetLabel(target)} already has a DTPM hierarchy (root '${h.roots[0]?.name ?? '?'}', ${h.nodes.length} nodes)`, 'use --replace to replace it');
  }
  validateDescription(desc, h.registry);
  const paths: string[] = [];
  desc.nodes.forEach((n) => paths.push(n.parent === null ? n.name : `${paths[n.parent]}/${n.name}`));
  const changes: NodeChange[] = desc.nodes.map((n, i) => ({ path: paths[i]!, name: n.name, type: lookupDevice(h.registry, n.name) ? 'device' : 'virtual', zoneId: null }));
  const removed = h.nodes.length;
  if (target.kind === 'configfs') {
    const specs: NodeSpec[] = desc.nodes.map((n) => ({ name: n.name, parent: n.parent }));
    if (!target.dryRun) {
      if (removed) rmdirNodes(target.dir, [...h.nodes].reverse().map((n) => n.path));
      mkdirNodes(target.dir, paths);
    }
    const after = target.dryRun ? buildHierarchy(specs, target.registry, target.domains) : readHierarchy(target);
    return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices: [] };
  }
  const snap = target.snapshot;
  for (const r of h.roots) removeZoneDir(snap, r.zoneId!);
  const zoneIds: string[] = [];
  desc.nodes.forEach((n, i) => {
    zoneIds.push(addZoneDir(snap, n.parent === null ? null : zoneIds[n.parent]!, n.name));
    changes[i]!.zoneId = zoneIds[i]!;
  });
  const after = rewriteSnapshot(snap);
  if (!target.dryRun) snap.save();
  return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices: [] };
}

function validateDescription(desc: Description, registry: RegistryEntry[]): void {
  const roots = desc.nodes.filter((n) => n.parent === null);
  if (roots.length > 1) throw refused(`the description has ${roots.length} roots (${roots.map((r) => r.name).join(', ')}): the kernel keeps one DTPM root`);
  const placed = new Set<string>();
  const hasChildren = new Set(desc.nodes.map((n) => n.parent).filter((p): p is number => p !== null));
  desc.nodes.forEach((n, i) => {
    const dev = lookupDevice(registry, n.name);
    if (n.type === 'device' && !dev) throw notFound(`no device '${n.name}' in the registry`, `register it first: powercapctl registry add ${n.name} …`);
    if (n.type === 'virtual' && dev) throw refused(`'${n.name}' is described as virtual but is a registered device (it would be a real node)`);
    if (dev) {
      if (placed.has(n.name)) throw refused(`device '${n.name}' appears twice (a device sits in one place)`);
      placed.add(n.name);
      if (hasChildren.has(i)) throw refused(`device '${n.name}' has children in the description (a device is a leaf)`);
    }
  });
}

// ------------------------------------------------------------------ snapshot zones

function dtpmTypeDir(snap: SnapshotFile): DirNode {
  const dirs = (snap.doc.powercap.dirs ??= {});
  return (dirs[DTPM_CONTROL_TYPE] ??= { attrs: { enabled: '1\n' } });
}

/** The directory of a zone (by id) in the snapshot, with its parent directory. */
function zoneDir(snap: SnapshotFile, zoneId: string): { dir: DirNode; parentDir: DirNode } {
  const tree = readPowercapTree(snap.powercap);
  const z = tree.byId.get(zoneId);
  if (!z) throw invalidData(`zone ${zoneId} not found in ${snap.path}`);
  const i = z.path.lastIndexOf('/');
  const parentDir = i < 0 ? snap.doc.powercap : snap.powercap.dir(z.path.slice(0, i))!;
  return { dir: snap.powercap.dir(z.path)!, parentDir };
}

/** A new zone directory under a zone (or at the top), with the lowest free id; returns its id. */
function addZoneDir(snap: SnapshotFile, parentZone: string | null, name: string): string {
  const parentDir = parentZone === null ? dtpmTypeDir(snap) : zoneDir(snap, parentZone).dir;
  const base = parentZone ?? DTPM_CONTROL_TYPE;
  const used = new Set<number>();
  for (const k of Object.keys(parentDir.dirs ?? {})) {
    const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:([0-9a-f]+)$`).exec(k);
    if (m) used.add(parseInt(m[1]!, 16));
  }
  let id = 0;
  while (used.has(id)) id++;
  const zid = `${base}:${id.toString(16)}`;
  (parentDir.dirs ??= {})[zid] = { attrs: { name: `${name}\n` } };
  return zid;
}

function removeZoneDir(snap: SnapshotFile, zoneId: string): void {
  const { parentDir } = zoneDir(snap, zoneId);
  const key = Object.keys(parentDir.dirs ?? {}).find((k) => k === zoneId);
  if (key) delete parentDir.dirs![key];
  if (parentDir.dirs && Object.keys(parentDir.dirs).length === 0) delete parentDir.dirs;
}

/** Recompute the whole hierarchy from the zones and rewrite every node's attributes. */
function rewriteSnapshot(snap: SnapshotFile): Hierarchy {
  const h = readHierarchy({ kind: 'snapshot', snapshot: snap });
  const tree = readPowercapTree(snap.powercap);
  for (const n of h.nodes) {
    const z = tree.byId.get(n.zoneId!)!;
    const dir = snap.powercap.dir(z.path)!;
    dir.attrs = zoneAttrs(dir.attrs ?? {}, n);
  }
  return h;
}

/** The attributes of a DTPM zone as the kernel exposes them (dtpm.c), keeping what is already stored. */
function zoneAttrs(old: Record<string, AttrValue>, n: DtpmNode): Record<string, AttrValue> {
  const a: Record<string, AttrValue> = { ...old };
  const set = (k: string, text: string) => {
    const prev = a[k];
    a[k] = typeof prev === 'object' && prev.writeErrno ? { text, writeErrno: prev.writeErrno } : text;
  };
  set('name', `${n.name}\n`);
  if (a.enabled === undefined) a.enabled = '1\n';
  // a leaf keeps its own reading; a virtual node reads the sum of its children
  if (!n.device || a.power_uw === undefined) set('power_uw', `${n.powerUw}\n`);
  set('max_power_range_uw', `${n.powerMaxUw - n.powerMinUw}\n`);
  if (a.constraint_0_name === undefined) a.constraint_0_name = 'Instantaneous\n';
  set('constraint_0_max_power_uw', `${n.powerMaxUw}\n`);
  set('constraint_0_power_limit_uw', `${n.powerLimitUw}\n`);
  if (a.constraint_0_time_window_us === undefined) a.constraint_0_time_window_us = { errno: 'ENODATA', writeErrno: 'ENODATA' };
  const sorted: Record<string, AttrValue> = {};
  for (const k of Object.keys(a).sort()) sorted[k] = a[k]!;
  return sorted;
}
