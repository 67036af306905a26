/**
 * Building a DTPM hierarchy by name (seed 000): create-node, delete-node and import, on a
 * target (targets.ts: a snapshot, a configfs directory, or a live tree that refuses).
 * On a snapshot the snapshot's emulated kernel makes or removes the nodes (source/emulated.ts
 * makeDtpmNodes, removeDtpmNode: zones, bounds, weights); the file is written atomically when the
 * change succeeded (not with `dryRun`), never when refused. On a configfs directory it is
 * mkdir / rmdir (configfs.ts).
 *
 * Every check happens before anything changes. Exit codes of refusals: bad name 2 (also a
 * name that looks like a device but is not registered, unless `expect: 'virtual'`),
 * missing parent or device 3, rule refused 5 (child under a device, second root,
 * existing path, device already placed, node with children without `recursive`),
 * inconsistent stored hierarchy 6.
 */
import type { RegistryEntry } from './device.js';
import type { DtpmNode } from '../kernel/dtpm.js';
import { notFound, refused, usageError } from '../errors.js';
import { findNode, lookupDevice, placementOf, splitNodePath, subtree, buildHierarchy, type Hierarchy, type NodeSpec } from './hierarchy.js';
import { checkHierarchy, type Finding } from './findings.js';
import { mkdirNodes, rmdirNodes, simulateCreate, simulateDelete } from './configfs.js';
import type { Description } from './description.js';
import { assertConsistent, readHierarchy, refuseLive, targetLabel, type DtpmTarget } from './targets.js';

export { readHierarchy, targetLabel, type DtpmTarget } from './targets.js';

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

// ------------------------------------------------------------------ create

/**
 * Names the kernel's DTPM drivers give devices (drivers/powercap/dtpm_cpu.c, __dtpm_cpu_setup:
 * cpuN-cpufreq; dtpm_devfreq.c, __dtpm_devfreq_setup: the device's name, e.g. ff9a0000.gpu): such a name made virtual by mistake
 * exports as DTPM_NODE_VIRTUAL and never limits the device.
 */
export function looksLikeDevice(name: string): boolean {
  return /^cpu\d+-cpufreq$/.test(name) || /\.gpu$/.test(name) || /-devfreq$/.test(name);
}

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
    throw notFound(`parent ${parts.slice(0, -1).join('/')} does not exist (${parts.slice(0, i + 1).join('/')} is missing)`, undefined, 'parents-missing');
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
  if (opts.expect !== 'virtual') {
    const lookalike = planned.find((p) => !p.device && looksLikeDevice(p.name));
    if (lookalike) {
      throw usageError(`'${lookalike.name}' is named like a device but no such device is registered: it would be a virtual node`,
        `registered: ${h.registry.map((e) => e.name).join(', ') || 'none'} (see powercapctl registry)`, 'named-like-device');
    }
  }

  const changes: NodeChange[] = planned.map((p) => ({ path: p.path, name: p.name, type: p.device ? 'device' : 'virtual', zoneId: null }));
  if (target.kind === 'configfs') {
    if (!target.dryRun) mkdirNodes(target.dir, planned.map((p) => p.path));
    const after = target.dryRun ? simulateCreate(h, planned, target) : readHierarchy(target);
    return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices: [] };
  }
  // each new node under the one before it, the first under the parent that exists
  const made = target.source.makeDtpmNodes(planned.map((p, j) => ({ name: p.name, parent: j === 0 ? parent?.zoneId ?? null : j - 1 })));
  changes.forEach((c, j) => { c.zoneId = made.zoneIds[j]!; });
  const after = made.hierarchy;
  if (!target.dryRun) target.source.snapshot.save();
  return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices: [] };
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
    throw refused(`${node.path} has ${node.children.length} child${node.children.length === 1 ? '' : 'ren'} (${node.children.map((c) => c.name).join(', ')})`, undefined, 'has-children');
  }
  const gone = subtree(node).reverse();
  const changes: NodeChange[] = gone.map((n) => ({ path: n.path, name: n.name, type: n.device ? 'device' : 'virtual', zoneId: n.zoneId }));
  const returnedDevices = gone.filter((n) => n.device).map((n) => n.device!.name);
  if (target.kind === 'configfs') {
    if (!target.dryRun) rmdirNodes(target.dir, gone.map((n) => n.path));
    const after = target.dryRun ? simulateDelete(h, node, target) : readHierarchy(target);
    return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices };
  }
  const after = target.source.removeDtpmNode(node.zoneId!, { subtree: true });
  if (!target.dryRun) target.source.snapshot.save();
  return { changes, hierarchy: after, findings: checkHierarchy(after), returnedDevices };
}

// ------------------------------------------------------------------ import

export interface ImportOptions {
  /** replace an existing hierarchy (refused otherwise) */
  replace?: boolean;
}

/**
 * Build the hierarchy a description gives (description.ts), replacing the target's
 * when `replace`. Every device must be registered (exit 3); a 'virtual' node whose
 * name is registered, a device placed twice, a device with children, more than
 * one root: refused (exit 5).
 */
export function importHierarchy(target: DtpmTarget, desc: Description, opts: ImportOptions = {}): EditResult {
  if (target.kind === 'live') refuseLive();
  const h = readHierarchy(target);
  if (h.nodes.length > 0 && !opts.replace) {
    throw refused(`${targetLabel(target)} already has a DTPM hierarchy (root '${h.roots[0]?.name ?? '?'}', ${h.nodes.length} nodes)`, undefined, 'hierarchy-exists');
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
  // the hierarchy there is destroyed, then the description's made (dtpm_destroy_hierarchy, dtpm_create_hierarchy)
  for (const r of h.roots) target.source.removeDtpmNode(r.zoneId!, { subtree: true });
  const made = target.source.makeDtpmNodes(desc.nodes.map((n) => ({ name: n.name, parent: n.parent })));
  changes.forEach((c, i) => { c.zoneId = made.zoneIds[i]!; });
  const after = made.hierarchy;
  if (!target.dryRun) target.source.snapshot.save();
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
