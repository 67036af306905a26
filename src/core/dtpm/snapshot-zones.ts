/**
 * The snapshot target's zones: a DTPM hierarchy in a snapshot IS the `dtpm` control type's zone
 * directories (`dtpm/dtpm:0/dtpm:0:0/…`) with the attributes the kernel exposes. A new zone takes
 * the lowest free id under its parent, as powercap_sys.c's idr does; after a change the whole
 * hierarchy is recomputed and every node's attributes rewritten (a new leaf's limit is its max, a
 * new virtual node's 0, as after boot; stored limits are kept, as the kernel keeps them).
 */
import type { SnapshotFile } from '../snapshot/file.js';
import type { AttrValue, DirNode } from '../source/tree.js';
import { readPowercapTree } from '../zones/model.js';
import { invalidData } from '../errors.js';
import { DTPM_CONTROL_TYPE, type DtpmNode } from '../kernel/dtpm.js';
import type { Hierarchy } from './hierarchy.js';
import { readHierarchy } from './targets.js';

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
export function addZoneDir(snap: SnapshotFile, parentZone: string | null, name: string): string {
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

export function removeZoneDir(snap: SnapshotFile, zoneId: string): void {
  const { parentDir } = zoneDir(snap, zoneId);
  const key = Object.keys(parentDir.dirs ?? {}).find((k) => k === zoneId);
  if (key) delete parentDir.dirs![key];
  if (parentDir.dirs && Object.keys(parentDir.dirs).length === 0) delete parentDir.dirs;
}

/** Recompute the whole hierarchy from the zones and rewrite every node's attributes. */
export function rewriteSnapshot(snap: SnapshotFile): Hierarchy {
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
