/**
 * Capturing a live tree into a snapshot document: every attribute file of every
 * control type and zone as raw text or errno, nested as the devices layout
 * nests them, plus the energy model's directory tree and the DTPM registry
 * the tree implies.
 */
import * as os from 'node:os';
import { discover, parentIdOf } from '../zones/powercap-tree.js';
import { joinRel, type DirEntry, type Source } from '../source/types.js';
import { TreeSource, type AttrValue, type DirNode } from '../source/tree.js';
import { readEnergyModel } from '../em/debugfs.js';
import { readPowercapTree } from '../zones/powercap-tree.js';
import { inferRegistryEntry } from '../dtpm/device.js';
import { DTPM_CONTROL_TYPE } from '../kernel/dtpm.js';
import { emptySnapshotDoc, type RegistryEntry, type SnapshotDoc } from './file.js';

/**
 * An object keyed by names from the tree: no prototype, so a directory named `__proto__` or
 * `constructor` (a hostile tree can hold one) is a key like any other, never the prototype.
 */
const byName = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

function readAttrs(source: Source, dir: string, entries: DirEntry[]): Record<string, AttrValue> {
  const attrs = byName<AttrValue>();
  for (const e of entries.filter((x) => x.kind === 'file' && x.name !== 'uevent').sort((a, b) => a.name.localeCompare(b.name))) {
    const r = source.read(joinRel(dir, e.name));
    attrs[e.name] = r.ok ? r.text : { errno: r.errno };
  }
  return attrs;
}

/** A whole directory tree (no links followed), for the energy model. */
export function captureDir(source: Source, rel = ''): DirNode {
  const entries = source.list(rel) ?? [];
  const node: DirNode = {};
  const attrs = readAttrs(source, rel, entries);
  if (Object.keys(attrs).length) node.attrs = attrs;
  const dirs = entries.filter((e) => e.kind === 'dir').sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (dirs.length) {
    node.dirs = byName<DirNode>();
    for (const d of dirs) node.dirs[d.name] = captureDir(source, joinRel(rel, d.name));
  }
  return node;
}

/** The powercap tree in the devices layout: control types holding nested zones. */
export function capturePowercap(source: Source, onZone?: (count: number) => void): DirNode {
  const found = discover(source);
  const root: DirNode = { dirs: byName<DirNode>() };
  const nodes = new Map<string, DirNode>();
  for (const [name, f] of found.controlTypes) {
    const n: DirNode = { attrs: readAttrs(source, f.path, f.entries) };
    root.dirs![name] = n;
    nodes.set(name, n);
  }
  // parents before children: sort ids by depth
  const ids = [...found.zones.keys()].sort((a, b) => a.split(':').length - b.split(':').length);
  let count = 0;
  for (const id of ids) {
    const f = found.zones.get(id)!;
    const n: DirNode = { attrs: readAttrs(source, f.path, f.entries) };
    const parentKey = parentIdOf(id) ?? id.split(':')[0]!;
    let parent = nodes.get(parentKey);
    if (!parent) {
      parent = { attrs: byName<AttrValue>() };
      root.dirs![parentKey] = parent;
      nodes.set(parentKey, parent);
    }
    (parent.dirs ??= byName<DirNode>())[id] = n;
    nodes.set(id, n);
    onZone?.(++count);
  }
  return root;
}

export interface CaptureOptions {
  energyModel: Source | null;
  rootPath: string;
  emRootPath: string | null;
  /** the hwmon root whose GPUs the source shows as zones of type hwmon, if any */
  hwmonRootPath?: string | null;
  onZone?: (count: number) => void;
  now?: Date;
}

export function captureSnapshot(source: Source, opts: CaptureOptions): SnapshotDoc {
  const doc = emptySnapshotDoc(
    { hostname: os.hostname(), kernelRelease: os.release(), machine: os.machine() },
    (opts.now ?? new Date()).toISOString(),
  );
  doc.origin = { root: opts.rootPath, emRoot: opts.emRootPath, ...(opts.hwmonRootPath ? { hwmonRoot: opts.hwmonRootPath } : {}) };
  doc.powercap = capturePowercap(source, opts.onZone);
  // what the drivers show outside the class (a TPMI RAPL driver), for the emulated kernel
  if (source.drivers) doc.drivers = structuredClone(source.drivers);
  doc.energyModel = opts.energyModel ? captureDir(opts.energyModel) : null;
  // the registry a live DTPM tree implies: its leaves matched to energy-model domains,
  // read back from what was just captured rather than from sysfs and debugfs a second time
  const info = source.info;
  const domains = doc.energyModel ? readEnergyModel(new TreeSource(doc.energyModel, info)) : [];
  const tree = readPowercapTree(new TreeSource(doc.powercap, info));
  const registry: RegistryEntry[] = [];
  for (const z of tree.zones) {
    if (z.controlType !== DTPM_CONTROL_TYPE || z.children.length > 0 || !z.name) continue;
    const entry = inferRegistryEntry(z.name, domains);
    if (entry) registry.push(entry);
  }
  if (registry.length) doc.dtpm = { registry };
  return doc;
}
